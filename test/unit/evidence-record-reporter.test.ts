/**
 * The evidence-record reporter copies the state files global setup wrote into the output
 * folder. Playwright makes its reporters, runs global setup, loads the specs and only then calls
 * onBegin: on a busy machine the loading alone can take seconds, and the files must still count
 * as this run's. A file older than the reporter is another run's and must not.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import type { FullResult } from '@playwright/test/reporter';
import EvidenceRecordReporter from '../../reporters/evidence-record.ts';

const VARIABLES = ['E2E_OUTPUT_DIR', 'E2E_STATE_DIR', 'E2E_LATENCY_HISTORY'] as const;
let dir: string;
let saved: Record<string, string | undefined>;

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'golden-path-evidence-'));
  saved = Object.fromEntries(VARIABLES.map((name) => [name, process.env[name]]));
  process.env.E2E_OUTPUT_DIR = path.join(dir, 'out');
  process.env.E2E_STATE_DIR = path.join(dir, 'state');
  process.env.E2E_LATENCY_HISTORY = path.join(dir, 'latency-history.jsonl');
  mkdirSync(process.env.E2E_STATE_DIR, { recursive: true });
});

afterEach(() => {
  mock.timers.reset();
  for (const name of VARIABLES) {
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  }
  rmSync(dir, { recursive: true, force: true });
});

const writeState = (name: string, mtimeMs: number) => {
  const file = path.join(dir, 'state', name);
  writeFileSync(file, JSON.stringify({ name }));
  utimesSync(file, mtimeMs / 1000, mtimeMs / 1000);
};
const copied = (name: string) => existsSync(path.join(dir, 'out', 'signoff', 'evidence', name));

describe('the evidence-record reporter', () => {
  it("keeps global setup's files when the specs took long to load before onBegin", () => {
    const made = Date.now();
    mock.timers.enable({ apis: ['Date'], now: made });
    const reporter = new EvidenceRecordReporter();
    writeState('preflight.json', made + 200);
    writeState('run.json', made + 400);
    mock.timers.tick(8_000); // the load task, on a machine busy with other work
    reporter.onBegin();
    reporter.onEnd({ status: 'passed' } as FullResult);
    assert.ok(copied('run.json'), 'run.json was dropped as stale');
    assert.ok(copied('preflight.json'), 'preflight.json was dropped as stale');
  });

  it("drops files older than the reporter: they are an earlier run's", () => {
    const made = Date.now();
    mock.timers.enable({ apis: ['Date'], now: made });
    writeState('run.json', made - 60_000);
    const reporter = new EvidenceRecordReporter();
    reporter.onBegin();
    reporter.onEnd({ status: 'passed' } as FullResult);
    assert.equal(copied('run.json'), false);
  });
});
