/**
 * The run's last words: counts, the cause of each failure, the five events and their times
 * since the message was sent, where the reports are; and `diagnosis.json` for tools. An
 * unsharded run also adds its event latency to the latency history (a shard's is added when the
 * shards are merged, so that a run counts once).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { FullResult, Reporter, TestCase, TestError, TestResult } from '@playwright/test/reporter';
import type { TimelineEntry } from '../harness/agent-run.ts';
import { type CauseCode, causeOf } from '../harness/causes.ts';
import { resolveEnvironment } from '../harness/config.ts';
import { gitCommit } from '../harness/git-commit.ts';
import { latencyHistoryPath, recordRunLatency } from '../harness/latency-history.ts';

export interface DiagnosisEntry {
  title: string;
  file?: string;
  project?: string;
  /** The test's tags (`@golden-path`, ...): which sign-off criteria its result is evidence for. */
  tags?: string[];
  status: string;
  code?: CauseCode;
  summary?: string;
  durationMs?: number;
  timeline?: TimelineEntry[];
}

export interface Diagnosis {
  status: FullResult['status'];
  startedAt: string;
  durationMs: number;
  counts: Record<string, number>;
  tests: DiagnosisEntry[];
}

function attachmentJson<T>(result: TestResult, name: string): T | undefined {
  const attachment = result.attachments.find((item) => item.name === name);
  try {
    if (attachment?.body) return JSON.parse(attachment.body.toString('utf8')) as T;
    if (attachment?.path) return JSON.parse(readFileSync(attachment.path, 'utf8')) as T;
  } catch {
    return undefined;
  }
  return undefined;
}

/** ANSI colour codes, which Playwright puts in assertion messages. */
const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');

const firstLine = (text: string | undefined) => (text ?? '').replace(ANSI, '').split('\n')[0]?.trim();

/** Where the other reporters' output is, and the commands that take it further. */
function whereReportsAre(out: string): string[] {
  const rel = (file: string) => path.relative(process.cwd(), file) || '.';
  const lines: string[] = [];
  const html = path.join(out, 'playwright-report');
  if (existsSync(path.join(html, 'index.html'))) {
    lines.push(`  html report: ${rel(html)} (npx playwright show-report ${rel(html)})`);
  }
  if (existsSync(path.join(out, 'allure-results'))) {
    lines.push(
      `  allure results: ${rel(path.join(out, 'allure-results'))} (npm run report builds the Allure report)`,
    );
  }
  if (existsSync(path.join(out, 'blob-report'))) {
    lines.push('  this is one shard: after the others, npm run merge-shards merges them');
  } else {
    lines.push('  sign-off verdict: npm run signoff (writes signoff/verdict.md)');
  }
  return lines;
}

/** This run's event latency into the latency history (nothing when no test left a timeline). */
function recordLatency(diagnosis: Diagnosis): void {
  if (!diagnosis.tests.some((entry) => entry.timeline && entry.timeline.length > 0)) return;
  const settings = resolveEnvironment();
  try {
    const env = settings.E2E_ENV ?? 'local';
    recordRunLatency(latencyHistoryPath(settings), diagnosis, { env, commit: gitCommit() });
  } catch (error) {
    process.stderr.write(`golden-path: latency history not written: ${(error as Error).message}\n`);
  }
}

export default class RunSummary implements Reporter {
  private readonly entries: DiagnosisEntry[] = [];
  private readonly diagnosisFile: string;
  private started = Date.now();

  constructor(options: { diagnosisFile?: string } = {}) {
    this.diagnosisFile = options.diagnosisFile ?? 'diagnosis.json';
  }

  onBegin(): void {
    this.started = Date.now();
  }

  onTestEnd(test: TestCase, result: TestResult): void {
    const message = result.errors.map((error) => error.message ?? '').join('\n');
    const code = causeOf(firstLine(message)) ?? causeOf(message.match(/\[[A-Z_]+\][^\n]*/)?.[0]);
    const timeline = attachmentJson<{ timeline: TimelineEntry[] }>(
      result,
      'agent-run-timeline.json',
    )?.timeline;
    this.entries.push({
      title: test.titlePath().slice(1).join(' › '),
      file: path.relative(process.cwd(), test.location.file),
      project: test.parent.project()?.name,
      ...(test.tags.length > 0 ? { tags: test.tags } : {}),
      status: result.status,
      ...(code ? { code } : {}),
      ...(message ? { summary: firstLine(message.slice(message.indexOf('['))) } : {}),
      durationMs: result.duration,
      ...(timeline ? { timeline } : {}),
    });
  }

  onError(error: TestError): void {
    const message = error.message ?? '';
    const code = causeOf(firstLine(message)) ?? causeOf(message.match(/\[[A-Z_]+\][^\n]*/)?.[0]);
    this.entries.push({
      title: 'global setup',
      status: 'failed',
      ...(code ? { code } : {}),
      summary: firstLine(message.includes('[') ? message.slice(message.indexOf('[')) : message),
    });
  }

  onEnd(result: FullResult): void {
    const counts: Record<string, number> = {};
    for (const entry of this.entries) counts[entry.status] = (counts[entry.status] ?? 0) + 1;
    const diagnosis: Diagnosis = {
      status: result.status,
      startedAt: new Date(this.started).toISOString(),
      durationMs: Date.now() - this.started,
      counts,
      tests: this.entries,
    };
    mkdirSync(path.dirname(this.diagnosisFile), { recursive: true });
    writeFileSync(this.diagnosisFile, JSON.stringify(diagnosis, null, 2));
    if (!process.env.E2E_SHARD_OUTPUT) recordLatency(diagnosis);

    const lines = [
      '',
      `golden-path: ${result.status} — ${
        Object.entries(counts)
          .map(([k, v]) => `${v} ${k}`)
          .join(', ') || 'no tests ran'
      }`,
    ];
    for (const entry of this.entries) {
      if (entry.timeline && entry.timeline.length > 0) {
        const firsts = new Map<string, number>();
        for (const item of entry.timeline) if (!firsts.has(item.type)) firsts.set(item.type, item.ms);
        lines.push(
          `  ${entry.title}: ${[...firsts].map(([type, ms]) => `${type} +${ms}ms`).join(', ')} (since the message was sent)`,
        );
      }
      if (entry.status !== 'passed' && entry.status !== 'skipped') {
        lines.push(`  ✗ ${entry.title}: ${entry.summary ?? entry.status}`);
      }
    }
    lines.push(`  diagnosis: ${path.relative(process.cwd(), this.diagnosisFile) || this.diagnosisFile}`);
    lines.push(...whereReportsAre(path.dirname(this.diagnosisFile)));
    process.stdout.write(`${lines.join('\n')}\n`);
  }

  printsToStdio(): boolean {
    return true;
  }
}
