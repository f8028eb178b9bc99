/**
 * For the project's own tests: start the reference platform as a separate process on free
 * loopback ports (optionally with a fault), and run the harness against it as a child
 * Playwright run configured only by E2E_* variables, exactly as against a deployment.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import type { Diagnosis } from '../../harness/evidence-record.ts';

// Found here rather than imported from harness/run-context.ts: the secret scan starts platforms
// with this module and must load no module the scrubber loads (test/unit/secret-search.test.ts).
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const PLAYWRIGHT_CLI = path.join(ROOT, 'node_modules', '@playwright', 'test', 'cli.js');

export const PLATFORM_DEFAULTS = {
  bypassKey: 'local-bypass-key',
  users: ['alice@example.test', 'bob@example.test', 'carol@example.test', 'dave@example.test'],
  password: 'correct-horse-battery',
};

export interface PlatformUrls {
  auth: string;
  api: string;
  ws: string;
  frontend: string;
}

export interface RunningPlatform {
  /** The services it was asked to serve (PLATFORM_SERVICES); the others are absent. */
  urls: PlatformUrls;
  logs: () => string;
  /** Resolves, with the platform's exit code, once it has shut down. */
  stop: () => Promise<number | null>;
  /** Resolves when the platform logs a line matching `pattern` (or has already); fails after `timeoutMs`. */
  untilLog: (pattern: RegExp, timeoutMs?: number) => Promise<void>;
  /** Reference-only counters: GET <service>/__platform/stats. */
  stats: (service: 'auth' | 'api') => Promise<Record<string, unknown>>;
}

/** Start all three services in one process on free ports; resolves when it prints its ready line. */
export function startPlatform(env: Record<string, string> = {}): Promise<RunningPlatform> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'platform/main.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      PLATFORM_AUTH_PORT: '0',
      PLATFORM_API_PORT: '0',
      PLATFORM_FRONTEND_PORT: '0',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const untilLog = (pattern: RegExp, timeoutMs = 5_000) =>
    new Promise<void>((resolve, reject) => {
      if (pattern.test(output)) return resolve();
      const timer = setTimeout(() => {
        child.stderr?.off('data', look);
        reject(new Error(`the platform logged nothing matching ${pattern} in ${timeoutMs} ms:\n${output}`));
      }, timeoutMs);
      const look = () => {
        if (!pattern.test(output)) return;
        clearTimeout(timer);
        child.stderr?.off('data', look);
        resolve();
      };
      child.stderr?.on('data', look);
    });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`platform exited ${code} before ready:\n${output}`)));
    let buffered = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const line = buffered.split('\n').find((candidate) => candidate.startsWith('PLATFORM_READY '));
      if (!line) return;
      const urls = JSON.parse(line.slice('PLATFORM_READY '.length)) as PlatformUrls;
      child.removeAllListeners('exit');
      resolve({
        urls,
        logs: () => output,
        untilLog,
        stop: () =>
          new Promise<number | null>((done) => {
            if (child.exitCode !== null) return done(child.exitCode);
            child.once('exit', (code) => done(code));
            child.kill('SIGTERM');
          }),
        stats: async (service) => {
          const base = service === 'auth' ? urls.auth : urls.api;
          const response = await request(`${base}/__platform/stats`);
          return (await response.body.json()) as Record<string, unknown>;
        },
      });
    });
  });
}

/** The E2E_* variables that point the harness at a running platform (non-local env). */
export function harnessEnv(urls: PlatformUrls, extra: Record<string, string> = {}): Record<string, string> {
  return {
    E2E_ENV: 'selftest',
    E2E_FRONTEND_URL: urls.frontend,
    E2E_API_URL: urls.api,
    E2E_AUTH_URL: urls.auth,
    E2E_WS_URL: urls.ws,
    E2E_BYPASS_KEY: PLATFORM_DEFAULTS.bypassKey,
    E2E_USERS: PLATFORM_DEFAULTS.users.join(','),
    E2E_USER_PASSWORD: PLATFORM_DEFAULTS.password,
    E2E_CONTROL_URL: `${urls.api}/__platform`,
    ...extra,
  };
}

/** The parent's environment without its E2E_* variables: a child gets only what it is given. */
export function withoutE2E(): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('E2E_')));
}

export interface ChildOutput {
  exitCode: number;
  stdout: string;
  stderr: string;
  durationMs: number;
}

/** `node <args>` (from the project root, or `cwd`), environment `env` on top of `withoutE2E()`. */
export function runNode(args: string[], env: Record<string, string>, cwd = ROOT): Promise<ChildOutput> {
  const started = Date.now();
  const child = spawn(process.execPath, args, {
    cwd,
    env: { ...withoutE2E(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise((resolve) => {
    child.on('close', (code) =>
      resolve({ exitCode: code ?? -1, stdout, stderr, durationMs: Date.now() - started }),
    );
  });
}

/** One of the project's TypeScript scripts, run to the end: exit status and all its output. */
export function runScriptSync(
  args: string[],
  env: Record<string, string>,
): { status: number | null; output: string } {
  const child = spawnSync(process.execPath, ['--import', 'tsx', ...args], {
    cwd: ROOT,
    env: { ...withoutE2E(), ...env },
    encoding: 'utf8',
  });
  return { status: child.status, output: `${child.stdout}${child.stderr}` };
}

export interface ChildRun {
  exitCode: number;
  stdout: string;
  stderr: string;
  durationMs: number;
  outputDir: string;
  diagnosis: Diagnosis | undefined;
}

/**
 * `playwright test` in a child process with its own output and state folders. The parent's
 * E2E_* variables are dropped, and the child starts in its output folder, where there is no
 * `.env` file: only `env` configures it, as on a deployment configured by variables alone.
 */
export async function runHarness(
  args: string[],
  env: Record<string, string>,
  outputDir?: string,
): Promise<ChildRun> {
  const out = outputDir ?? mkdtempSync(path.join(tmpdir(), 'golden-path-run-'));
  mkdirSync(out, { recursive: true });
  const config = path.join(ROOT, 'playwright.config.ts');
  const run = await runNode(
    [PLAYWRIGHT_CLI, 'test', '--config', config, ...args],
    { E2E_OUTPUT_DIR: out, E2E_STATE_DIR: path.join(out, 'state'), ...env },
    out,
  );
  let diagnosis: ChildRun['diagnosis'];
  try {
    diagnosis = JSON.parse(readFileSync(path.join(out, 'diagnosis.json'), 'utf8'));
  } catch {
    diagnosis = undefined;
  }
  return { ...run, outputDir: out, diagnosis };
}

/** The first cause code a child run reported (diagnosis first, then its output). */
export function firstCause(run: ChildRun): string | undefined {
  const failed = run.diagnosis?.tests.find((test) => test.status !== 'passed' && test.status !== 'skipped');
  if (failed?.code) return failed.code;
  return /\[([A-Z_]{5,})\]/.exec(`${run.stdout}\n${run.stderr}`)?.[1];
}

export interface SignoffChild extends ChildRun {
  /** `signoff/verdict.json`'s verdict, when one was written. */
  verdict: string | undefined;
}

/**
 * `node --import tsx scripts/signoff.ts` as a child in its own output and state folders,
 * configured only by `env`: it runs the sign-off specs (one Playwright run) and decides.
 * `playwrightArgs` go to that run (`--workers=1`).
 */
export async function runSignoff(
  env: Record<string, string>,
  outputDir: string,
  playwrightArgs: string[] = [],
): Promise<SignoffChild> {
  mkdirSync(outputDir, { recursive: true });
  const state = path.join(outputDir, 'state');
  const run = await runNode(['--import', 'tsx', 'scripts/signoff.ts', ...playwrightArgs], {
    E2E_OUTPUT_DIR: outputDir,
    E2E_STATE_DIR: state,
    E2E_REPORT: 'minimal',
    FORCE_COLOR: '0',
    ...env,
  });
  const readJson = <T>(...parts: string[]): T | undefined => {
    try {
      return JSON.parse(readFileSync(path.join(outputDir, ...parts), 'utf8')) as T;
    } catch {
      return undefined;
    }
  };
  return {
    ...run,
    outputDir,
    diagnosis: readJson<Diagnosis>('diagnosis.json'),
    verdict: readJson<{ verdict: string }>('signoff', 'verdict.json')?.verdict,
  };
}

/**
 * Reference-only: switch the fault of the whole platform process (all its services) from the
 * next request, socket or run on, so one platform serves many rows. `none` clears it.
 */
export async function setPlatformFault(urls: Pick<PlatformUrls, 'api'>, name: string): Promise<void> {
  const response = await request(`${urls.api}/__platform/fault?name=${encodeURIComponent(name)}`, {
    method: 'POST',
  });
  const body = await response.body.text();
  if (response.statusCode !== 200)
    throw new Error(`POST /__platform/fault?name=${name} answered ${response.statusCode}: ${body}`);
}

/**
 * Reference-only: switch the deployment shapes of the whole platform process from the next
 * request or socket on (`none` clears a list; an absent one is kept).
 */
export async function setPlatformShape(
  urls: Pick<PlatformUrls, 'api'>,
  shapes: { frontend?: string; backend?: string },
): Promise<void> {
  const query = new URLSearchParams(
    Object.entries(shapes).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
  const response = await request(`${urls.api}/__platform/shape?${query}`, { method: 'POST' });
  const body = await response.body.text();
  if (response.statusCode !== 200)
    throw new Error(`POST /__platform/shape?${query} answered ${response.statusCode}: ${body}`);
}
