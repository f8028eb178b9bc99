/**
 * Child processes the bench times: a Playwright run of the harness (with the bench's timing
 * reporter, or exactly as configured), the bare client as a process, or any command; with the
 * process tree sampled from /proc and every output line stamped with its arrival time.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { PLAYWRIGHT_CLI, ROOT } from '../harness/run-context.ts';
import { sampleTree, type TreeUsage } from './proc.ts';
import type { RunTiming } from './timing-reporter.ts';

export const BENCH_CONFIG = path.join(ROOT, 'bench', 'playwright.bench.config.ts');

export interface StampedLine {
  /** ms since the process was spawned. */
  ms: number;
  stream: 'stdout' | 'stderr';
  text: string;
}

export interface Timed {
  exitCode: number;
  /** Epoch ms at spawn. */
  spawnedAt: number;
  wallMs: number;
  lines: StampedLine[];
  usage: TreeUsage | undefined;
}

export interface CommandOptions {
  env?: Record<string, string | undefined>;
  /** Drop the parent's E2E_* variables (the child is configured only by `env`). */
  cleanE2E?: boolean;
  sample?: boolean;
  cwd?: string;
  timeoutMs?: number;
}

/** Run a command to completion, stamping its output lines and sampling its process tree. */
export function timeCommand(command: string, args: string[], options: CommandOptions = {}): Promise<Timed> {
  const base = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !(options.cleanE2E && key.startsWith('E2E_'))),
  );
  const env: Record<string, string | undefined> = { ...base, FORCE_COLOR: '0', ...options.env };
  for (const [key, value] of Object.entries(env)) if (value === undefined) delete env[key];
  const spawnedAt = Date.now();
  const started = performance.now();
  const child = spawn(command, args, {
    cwd: options.cwd ?? ROOT,
    env: env as NodeJS.ProcessEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const sampler = options.sample && child.pid ? sampleTree(child.pid) : undefined;
  const lines: StampedLine[] = [];
  const collect = (stream: 'stdout' | 'stderr') => {
    let partial = '';
    return (chunk: Buffer) => {
      const ms = performance.now() - started;
      const parts = (partial + chunk.toString()).split('\n');
      partial = parts.pop() ?? '';
      for (const text of parts) lines.push({ ms, stream, text });
    };
  };
  child.stdout.on('data', collect('stdout'));
  child.stderr.on('data', collect('stderr'));
  const timer =
    options.timeoutMs === undefined ? undefined : setTimeout(() => child.kill('SIGTERM'), options.timeoutMs);
  return new Promise((resolve) => {
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({
        exitCode: code ?? -1,
        spawnedAt,
        wallMs: performance.now() - started,
        lines,
        usage: sampler?.stop(),
      });
    });
  });
}

export interface HarnessRun extends Timed {
  dir: string;
  timing: RunTiming | undefined;
}

export interface HarnessRunOptions {
  /** Output folder for this run (reports, state, timing, attachments). */
  dir: string;
  args?: string[];
  env: Record<string, string>;
  /** Use the bench config (timing reporter); false runs the project config exactly. */
  timingReporter?: boolean;
  keepAttachments?: boolean;
  sample?: boolean;
  /** Token cache and run state folder; default `<dir>/state`. */
  stateDir?: string;
}

/** `playwright test` against a platform, configured only by E2E_* variables in `env`. */
export async function runPlaywright(options: HarnessRunOptions): Promise<HarnessRun> {
  mkdirSync(options.dir, { recursive: true });
  const timingFile = path.join(options.dir, 'timing.json');
  const useBench = options.timingReporter !== false;
  const args = ['test', ...(useBench ? ['--config', BENCH_CONFIG] : []), ...(options.args ?? [])];
  const run = await timeCommand(process.execPath, [PLAYWRIGHT_CLI, ...args], {
    cleanE2E: true,
    sample: options.sample ?? false,
    env: {
      E2E_OUTPUT_DIR: options.dir,
      E2E_STATE_DIR: options.stateDir ?? path.join(options.dir, 'state'),
      BENCH_TIMING_FILE: timingFile,
      ...(options.keepAttachments ? { BENCH_KEEP_ATTACHMENTS: '1' } : {}),
      ...options.env,
    },
  });
  let timing: RunTiming | undefined;
  try {
    timing = JSON.parse(readFileSync(timingFile, 'utf8')) as RunTiming;
  } catch {
    timing = undefined;
  }
  return { ...run, dir: options.dir, timing };
}

/** Last lines of a failed run, for the bench's own error messages. */
export function tail(run: Timed, count = 25): string {
  return run.lines
    .slice(-count)
    .map((line) => line.text)
    .join('\n');
}
