/**
 * A reporter the bench adds (through bench/playwright.bench.config.ts) to the project's own
 * reporters. It writes, to BENCH_TIMING_FILE, epoch-ms marks for the run's phases, and per test
 * its start, duration, status, every step (fixtures included: the browser launch is the
 * `browser` fixture) and, when BENCH_KEEP_ATTACHMENTS is set, the harness's attachments.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type {
  FullConfig,
  FullResult,
  Reporter,
  Suite,
  TestCase,
  TestResult,
  TestStep,
} from '@playwright/test/reporter';

export interface StepTiming {
  title: string;
  category: string;
  depth: number;
  /** Epoch ms. */
  start: number;
  durationMs: number;
}

export interface TestTiming {
  title: string;
  /** Describe blocks and title, without project and file. */
  path: string;
  file: string;
  project: string;
  repeatEachIndex: number;
  workerIndex: number;
  parallelIndex: number;
  status: string;
  error?: string;
  /** Epoch ms. */
  start: number;
  durationMs: number;
  steps: StepTiming[];
  /** Attachment name → file holding its body (only with BENCH_KEEP_ATTACHMENTS). */
  attachments: Record<string, string>;
}

export interface RunTiming {
  /** Epoch ms when this reporter was constructed (config loaded). */
  constructedAt: number;
  beginAt?: number;
  endAt?: number;
  exitAt?: number;
  workers?: number;
  status?: string;
  tests: TestTiming[];
  errors: string[];
}

const KEPT = ['agent-socket-transcript.json', 'agent-run-timeline.json', 'bench-bare.json'];

function flatten(steps: readonly TestStep[], depth: number, out: StepTiming[]): StepTiming[] {
  for (const step of steps) {
    out.push({
      title: step.title,
      category: step.category,
      depth,
      start: step.startTime.getTime(),
      durationMs: step.duration,
    });
    flatten(step.steps, depth + 1, out);
  }
  return out;
}

/** The same reporter placed first among the reporters: it marks when the reporters' onEnd began. */
export interface FirstMarks {
  onEndAt: number;
}

export const firstMarksFile = (file: string) => `${file}.first.json`;

export default class TimingReporter implements Reporter {
  private readonly file = process.env.BENCH_TIMING_FILE ?? path.resolve('bench-timing.json');
  private readonly keep = process.env.BENCH_KEEP_ATTACHMENTS === '1';
  private readonly run: RunTiming = { constructedAt: Date.now(), tests: [], errors: [] };
  private readonly first: boolean;

  constructor(options: { role?: 'first' | 'last' } = {}) {
    this.first = options.role === 'first';
  }

  onBegin(config: FullConfig, _suite: Suite): void {
    this.run.beginAt = Date.now();
    this.run.workers = config.workers;
  }

  onTestEnd(test: TestCase, result: TestResult): void {
    if (this.first) return;
    const index = this.run.tests.length;
    const attachments: Record<string, string> = {};
    if (this.keep) {
      const dir = path.join(path.dirname(this.file), 'attachments');
      mkdirSync(dir, { recursive: true });
      for (const attachment of result.attachments) {
        if (!KEPT.includes(attachment.name) || !attachment.body) continue;
        const target = path.join(dir, `${index}-${attachment.name}`);
        writeFileSync(target, attachment.body);
        attachments[attachment.name] = target;
      }
    }
    const error = result.errors[0]?.message?.split('\n')[0];
    this.run.tests.push({
      title: test.title,
      path: test.titlePath().slice(3).join(' › '),
      file: path.basename(test.location.file),
      project: test.parent.project()?.name ?? '',
      repeatEachIndex: test.repeatEachIndex,
      workerIndex: result.workerIndex,
      parallelIndex: result.parallelIndex,
      status: result.status,
      ...(error ? { error } : {}),
      start: result.startTime.getTime(),
      durationMs: result.duration,
      steps: flatten(result.steps, 0, []),
      attachments,
    });
  }

  onError(error: { message?: string }): void {
    this.run.errors.push((error.message ?? '').split('\n')[0] ?? '');
  }

  onEnd(result: FullResult): void {
    if (this.first) {
      const marks: FirstMarks = { onEndAt: Date.now() };
      mkdirSync(path.dirname(this.file), { recursive: true });
      writeFileSync(firstMarksFile(this.file), JSON.stringify(marks));
      return;
    }
    this.run.endAt = Date.now();
    this.run.status = result.status;
    this.write();
  }

  async onExit(): Promise<void> {
    if (this.first) return;
    this.run.exitAt = Date.now();
    this.write();
  }

  printsToStdio(): boolean {
    return false;
  }

  private write(): void {
    mkdirSync(path.dirname(this.file), { recursive: true });
    writeFileSync(this.file, JSON.stringify(this.run));
  }
}
