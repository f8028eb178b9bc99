/**
 * The evidence record: what one test left for everything read after the run (the console
 * summary, diagnosis.json, merge-shards, the sign-off). Built once per test by an always-on
 * reporter (reporters/evidence-record.ts), so no reader parses attachments or messages back.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { TestCase, TestError, TestResult, TestStep } from '@playwright/test/reporter';
import { type CauseCode, causeIn, failureSummary } from './causes.ts';
import type { SocketRecord } from './frames.ts';
import type { TimelineEntry } from './run-verdict.ts';

/** One agent-socket connection attempt, as far as it got. */
export type SocketAttempt = Pick<
  SocketRecord,
  'id' | 'url' | 'openedAt' | 'protocol' | 'closeCode' | 'closeReason' | 'handshakeStatus' | 'handshakeError'
>;

export interface EvidenceRecord {
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
  /** The test's own steps, in order, and whether each passed. */
  steps?: { title: string; ok: boolean }[];
  sockets?: SocketAttempt[];
  /** The run's preflight record, relative to the output folder, when global setup left one. */
  preflight?: string;
  /** The test's annotations: a skip's reason, which credential a case used and where it came from. */
  annotations?: { type: string; description?: string }[];
}

/** `diagnosis.json`: the run's outcome and one evidence record per test (and per setup failure). */
export interface Diagnosis {
  status: 'passed' | 'failed' | 'timedout' | 'interrupted';
  startedAt: string;
  durationMs: number;
  counts: Record<string, number>;
  tests: EvidenceRecord[];
}

export const TIMELINE_ATTACHMENT = 'agent-run-timeline.json';
export const TRANSCRIPT_ATTACHMENT = 'agent-socket-transcript.json';

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

const ownSteps = (steps: TestStep[]) =>
  steps
    .filter((step) => step.category === 'test.step')
    .map((step) => ({ title: step.title, ok: !step.error }));

function socketsOf(result: TestResult): SocketAttempt[] | undefined {
  const transcript = attachmentJson<{ sockets?: SocketRecord[] }>(result, TRANSCRIPT_ATTACHMENT);
  return transcript?.sockets?.map((socket) => ({
    id: socket.id,
    url: socket.url,
    ...(socket.openedAt !== undefined ? { openedAt: socket.openedAt } : {}),
    ...(socket.protocol ? { protocol: socket.protocol } : {}),
    ...(socket.closeCode !== undefined ? { closeCode: socket.closeCode } : {}),
    ...(socket.closeReason ? { closeReason: socket.closeReason } : {}),
    ...(socket.handshakeStatus !== undefined ? { handshakeStatus: socket.handshakeStatus } : {}),
    ...(socket.handshakeError ? { handshakeError: socket.handshakeError } : {}),
  }));
}

/** A test's record, from what Playwright reports of it (already scrubbed of secrets). */
export function testRecord(test: TestCase, result: TestResult, cwd = process.cwd()): EvidenceRecord {
  const message = result.errors.map((error) => error.message ?? '').join('\n');
  const code = causeIn(message);
  const timeline = attachmentJson<{ timeline: TimelineEntry[] }>(result, TIMELINE_ATTACHMENT)?.timeline;
  const steps = ownSteps(result.steps);
  const sockets = socketsOf(result);
  return {
    title: test.titlePath().slice(1).join(' › '),
    file: path.relative(cwd, test.location.file),
    project: test.parent.project()?.name,
    ...(test.tags.length > 0 ? { tags: test.tags } : {}),
    status: result.status,
    ...(code ? { code } : {}),
    ...(message ? { summary: failureSummary(message) } : {}),
    durationMs: result.duration,
    ...(timeline ? { timeline } : {}),
    ...(steps.length > 0 ? { steps } : {}),
    ...(sockets && sockets.length > 0 ? { sockets } : {}),
    ...annotationsOf(result),
  };
}

function annotationsOf(result: TestResult): Pick<EvidenceRecord, 'annotations'> {
  const annotations = result.annotations.map(({ type, description }) => ({
    type,
    ...(description === undefined ? {} : { description }),
  }));
  return annotations.length > 0 ? { annotations } : {};
}

/** The record of an error outside any test: global setup stopping the run. */
export function setupRecord(error: TestError): EvidenceRecord {
  const message = error.message ?? '';
  const code = causeIn(message);
  return {
    title: 'global setup',
    status: 'failed',
    ...(code ? { code } : {}),
    summary: failureSummary(message),
  };
}

/** The run's diagnosis from its records. */
export function diagnosisOf(
  status: Diagnosis['status'],
  startedAt: number,
  records: EvidenceRecord[],
  now = Date.now(),
): Diagnosis {
  const counts: Record<string, number> = {};
  for (const record of records) counts[record.status] = (counts[record.status] ?? 0) + 1;
  return {
    status,
    startedAt: new Date(startedAt).toISOString(),
    durationMs: now - startedAt,
    counts,
    tests: records,
  };
}
