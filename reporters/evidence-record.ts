/**
 * Always on, whatever E2E_REPORT says, and listed right after the scrubbing reporter: writes
 * the run's evidence for everything read after it.
 *  - `diagnosis.json`: one evidence record per test (harness/evidence-record.ts), and one for
 *    a global-setup failure; the console summary, merge-shards and the sign-off read it;
 *  - `signoff/evidence/`: a copy of the preflight and token records global setup left in the
 *    state folder (no secrets in them, masked all the same), so the output folder alone is
 *    evidence enough for `npm run signoff -- --from` and for shard merges, where the state
 *    folder is another machine's;
 *  - the run's event latency, added to the latency history (harness/latency-history.ts). Not a
 *    shard's: the shard merge adds the merged run's, so that a run counts once.
 */
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { FullResult, Reporter, TestCase, TestError, TestResult } from '@playwright/test/reporter';
import { resolveEnvironment } from '../harness/config.ts';
import { gitCommit } from '../harness/environment.ts';
import { diagnosisOf, type EvidenceRecord, setupRecord, testRecord } from '../harness/evidence-record.ts';
import { latencyHistoryPath, type RunTimelines, recordRunLatency } from '../harness/latency-history.ts';
import {
  EVIDENCE_FILES,
  knownSecrets,
  outputDir,
  outputPaths,
  readJson,
  stateDirOf,
  tryLoadConfig,
  writeJson,
} from '../harness/run-context.ts';

/** This run's event latency into the latency history (nothing when no test left a timeline). */
function recordLatency(diagnosis: RunTimelines): void {
  if (!diagnosis.tests.some((test) => test.timeline && test.timeline.length > 0)) return;
  const settings = resolveEnvironment();
  try {
    const where = { env: settings.E2E_ENV ?? 'local', commit: gitCommit() };
    recordRunLatency(latencyHistoryPath(settings), diagnosis, where);
  } catch (error) {
    process.stderr.write(`golden-path: latency history not written: ${(error as Error).message}\n`);
  }
}

export default class EvidenceRecordReporter implements Reporter {
  private readonly records: EvidenceRecord[] = [];
  private readonly paths = outputPaths(outputDir());
  private readonly diagnosisFile: string;
  /**
   * Playwright makes its reporters, then runs global setup, then loads the specs, and only then
   * calls onBegin: the state files global setup writes are newer than this, however long the
   * loading took on a busy machine.
   */
  private readonly created = Date.now();
  private started = this.created;

  constructor(options: { diagnosisFile?: string } = {}) {
    this.diagnosisFile = path.resolve(options.diagnosisFile ?? this.paths.diagnosis);
  }

  onBegin(): void {
    this.started = Date.now();
    // Evidence of an earlier run in this folder would pass for this run's.
    rmSync(this.paths.evidence, { recursive: true, force: true });
  }

  onTestEnd(test: TestCase, result: TestResult): void {
    this.records.push(testRecord(test, result));
  }

  onError(error: TestError): void {
    this.records.push(setupRecord(error));
  }

  onEnd(result: FullResult): void {
    const copied = this.copyStateEvidence();
    const preflight = copied.includes('preflight.json')
      ? path.relative(outputDir(), path.join(this.paths.evidence, 'preflight.json'))
      : undefined;
    const records = preflight ? this.records.map((record) => ({ ...record, preflight })) : this.records;
    const diagnosis = diagnosisOf(result.status, this.started, records);
    writeJson(this.diagnosisFile, diagnosis);
    if (!process.env.E2E_SHARD_OUTPUT) recordLatency(diagnosis);
  }

  /** This run's preflight and token records, beside its reports; the names of those copied. */
  private copyStateEvidence(): string[] {
    const config = tryLoadConfig();
    const stateDir = stateDirOf(config);
    const secrets = knownSecrets(config);
    // Global setup writes them after this reporter was made: an older file is another run's
    // (the second's grace is for file systems with coarse timestamps).
    const since = this.created - 1_000;
    return EVIDENCE_FILES.filter((name) => {
      const source = path.join(stateDir, name);
      const value = existsSync(source) ? readJson(source, since) : undefined;
      if (value === undefined) return false;
      mkdirSync(this.paths.evidence, { recursive: true });
      writeFileSync(path.join(this.paths.evidence, name), secrets.mask(JSON.stringify(value, null, 2)));
      return true;
    });
  }

  printsToStdio(): boolean {
    return false;
  }
}
