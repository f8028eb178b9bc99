import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { EvidenceRecord } from '../../harness/evidence-record.ts';
import { accepts, golden, type Row } from '../support/fault-matrix-rows.ts';
import { rowOf, unitsOf } from '../support/matrix-batch/run-batch.ts';
import type { ChildRun } from '../support/platform.ts';

const names = (rows: readonly Row[]) => rows.map((row) => row.fault);

describe('fault-matrix batches', () => {
  it('batches rows that share dialect, spec, profile and budgets; faults global setup meets run alone', () => {
    const rows: Row[] = [
      golden('none', 'passed'),
      golden('backend-health-500', 'SERVICE_UNHEALTHY'),
      golden('foreign-signing-key', 'TOKEN_INVALID'),
      golden('drop-tool_completed', 'EVENT_MISSING'),
      golden('agent-started-delayed', 'EVENT_LATENCY', { budgets: 'agent_started=1500' }),
      golden('none', 'passed', { dialect: 'netra' }),
      { spec: '@auth', fault: 'ui-stays-on-dead-chat', expected: 'UI_NOT_RENDERED' },
      accepts('ws-accepts-no-token', 'no token'),
      { spec: '@auth', fault: 'none', expected: 'passed' },
    ];
    assert.deepEqual(
      unitsOf(rows).map((unit) => names(unit.rows)),
      [
        ['backend-health-500'],
        ['foreign-signing-key'],
        // Its own workers: one per user.
        ['ui-stays-on-dead-chat'],
        ['none', 'drop-tool_completed'],
        ['agent-started-delayed'],
        ['none'],
        ['ws-accepts-no-token', 'none'],
      ],
    );
  });

  it('cuts a long group into near-equal batches of at most seven golden-path or three auth rows', () => {
    const many = Array.from({ length: 9 }, (_, index) => golden(`drop-${index}`, 'EVENT_MISSING'));
    assert.deepEqual(
      unitsOf(many).map((unit) => unit.rows.length),
      [5, 4],
    );
    const auth = Array.from({ length: 5 }, (_, index) => accepts(`ws-accepts-${index}`, 'x'));
    assert.deepEqual(
      unitsOf(auth).map((unit) => unit.rows.length),
      [3, 2],
    );
  });

  const test = (fault: string, status: string, extra: Partial<EvidenceRecord> = {}): EvidenceRecord => ({
    title: 'golden path › a signed-in user chats',
    status,
    durationMs: 1000,
    annotations: [{ type: 'matrix-fault', description: fault }, ...(extra.annotations ?? [])],
    ...(extra.code ? { code: extra.code } : {}),
  });
  const batch: ChildRun = {
    exitCode: 1,
    stdout: 'the whole batch: [EVENT_MISSING] of another row',
    stderr: '',
    durationMs: 9000,
    outputDir: '/tmp/batch',
    diagnosis: {
      status: 'failed',
      startedAt: '2026-12-02T06:00:00.000Z',
      durationMs: 9000,
      counts: { passed: 1, failed: 1 },
      tests: [
        test('none', 'passed'),
        test('drop-tool_completed', 'failed', {
          code: 'EVENT_MISSING',
          annotations: [
            { type: 'matrix-error', description: '[EVENT_MISSING] missing tool_completed\nmore' },
          ],
        }),
      ],
    },
  };

  it("gives each row its own tests, status and exit code, and its own failure text, not the batch's", () => {
    const healthy = rowOf(batch, golden('none', 'passed'));
    assert.equal(healthy.exitCode, 0);
    assert.equal(healthy.diagnosis?.status, 'passed');
    assert.deepEqual(healthy.diagnosis?.counts, { passed: 1 });
    assert.equal(healthy.stdout, '');
    const dropped = rowOf(batch, golden('drop-tool_completed', 'EVENT_MISSING'));
    assert.equal(dropped.exitCode, 1);
    assert.equal(dropped.diagnosis?.status, 'failed');
    assert.deepEqual(
      dropped.diagnosis?.tests.map((record) => record.code),
      ['EVENT_MISSING'],
    );
    assert.equal(dropped.stdout, '[EVENT_MISSING] missing tool_completed\nmore');
  });

  it('a row none of whose tests ran fails, with no code borrowed from the batch', () => {
    const missing = rowOf(batch, golden('ws-close-1008', 'WS_AUTH_REJECTED'));
    assert.notEqual(missing.exitCode, 0);
    assert.equal(missing.diagnosis, undefined);
    assert.equal(`${missing.stdout}${missing.stderr}`, '');
  });
});
