/**
 * The harness proves its verdicts: for each fault the reference platform can inject, a child
 * golden-path run against a platform started with that fault must fail with exactly the
 * expected cause code, never a bare timeout; with no fault it must pass.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { type ChildRun, firstCause, harnessEnv, runHarness, startPlatform } from '../support/platform.ts';

const MATRIX: [fault: string, expected: string][] = [
  ['none', 'passed'],
  ['backend-health-500', 'SERVICE_UNHEALTHY'],
  ['auth-db-disconnected', 'SERVICE_UNHEALTHY'],
  ['bypass-key-rejected', 'TOKEN_REJECTED'],
  ['user-missing', 'USER_UNKNOWN'],
  ['foreign-signing-key', 'TOKEN_INVALID'],
  ['login-rejects-password', 'LOGIN_FAILED'],
  ['ws-upgrade-403', 'WS_HANDSHAKE_REJECTED'],
  ['ws-close-1008', 'WS_AUTH_REJECTED'],
  ['ws-close-1011', 'WS_AUTH_REJECTED'],
  ['ws-handshake-hang', 'WS_HANDSHAKE_TIMEOUT'],
  ['ws-close-mid-run', 'WS_CLOSED_EARLY'],
  ['drop-agent_started', 'EVENT_MISSING'],
  ['drop-agent_thinking', 'EVENT_MISSING'],
  ['drop-tool_executing', 'EVENT_MISSING'],
  ['drop-tool_completed', 'EVENT_MISSING'],
  ['drop-agent_completed', 'EVENT_MISSING'],
  ['tool-completed-before-executing', 'EVENT_ORDER'],
  ['completed-before-thinking', 'EVENT_ORDER'],
  ['agent-started-delayed', 'EVENT_LATENCY'],
  ['cross-user-leak', 'CROSS_USER_LEAK'],
  ['ui-not-rendered', 'UI_NOT_RENDERED'],
  ['ui-throws', 'PAGE_ERROR'],
];

/**
 * Tight limits so faults that can only show as silence cost seconds, not the defaults; no
 * traces or HTML/Allure reports: the verdict is read from diagnosis.json.
 */
const LIMITS = {
  E2E_REPORT: 'minimal',
  E2E_TRACE: 'off',
  E2E_EVENT_TIMEOUT_MS: '6000',
  E2E_WS_HANDSHAKE_TIMEOUT_MS: '4000',
  E2E_EVENT_BUDGETS_MS: 'agent_started=1500',
};

/** What some failures must say besides their code: the evidence a reader needs. */
const SAYS: Record<string, RegExp> = {
  'drop-tool_completed':
    /missing tool_completed in run run_\w+; arrived: agent_started, agent_thinking.*tool_executing/,
  'ws-close-1008': /closed 1008 "auth failed: token expired" \d+ ms after the upgrade/,
  'ws-upgrade-403': /HTTP 403/,
  'ws-handshake-hang': /neither opened nor closed within 4000 ms/,
  'backend-health-500': /backend GET \/health .*HTTP 500/,
  'login-rejects-password': /the page said "Invalid email or password"/,
};

const rows: { fault: string; expected: string; got: string; seconds: string }[] = [];

function outcome(run: ChildRun): string {
  if (run.exitCode === 0 && run.diagnosis?.status === 'passed') return 'passed';
  return firstCause(run) ?? `no cause code (exit ${run.exitCode}, status ${run.diagnosis?.status ?? 'none'})`;
}

describe('fault matrix: each injected fault is reported with its exact cause', { concurrency: 3 }, () => {
  for (const [fault, expected] of MATRIX) {
    it(`${fault} → ${expected}`, async () => {
      const platform = await startPlatform({
        ...(fault === 'none' ? {} : { PLATFORM_FAULT: fault }),
        PLATFORM_FAULT_DELAY_MS: '3000',
      });
      try {
        const run = await runHarness(['--grep', '@golden-path'], harnessEnv(platform.urls, LIMITS));
        const got = outcome(run);
        rows.push({ fault, expected, got, seconds: (run.durationMs / 1000).toFixed(1) });
        const evidence = `${run.stdout.slice(-3000)}\n${run.stderr.slice(-1500)}`;
        assert.equal(got, expected, `fault ${fault}: expected ${expected}, got ${got}\n${evidence}`);
        const said = SAYS[fault];
        if (said) {
          const summary = run.diagnosis?.tests.find((test) => test.code === expected)?.summary ?? '';
          assert.match(`${summary}\n${run.stdout}`, said, `fault ${fault}: the message lacks its evidence`);
        }
        const timedOut = run.diagnosis?.tests.filter((test) => test.status === 'timedOut') ?? [];
        assert.deepEqual(timedOut, [], `fault ${fault} ended in a bare Playwright timeout`);
        if (expected !== 'passed')
          assert.notEqual(run.exitCode, 0, `fault ${fault}: the run must exit non-zero`);
      } finally {
        await platform.stop();
      }
    });
  }
});

after(() => {
  const order = new Map(MATRIX.map(([fault], index) => [fault, index]));
  rows.sort((a, b) => (order.get(a.fault) ?? 0) - (order.get(b.fault) ?? 0));
  const header = ['fault', 'expected', 'got', 'time'];
  const table = rows.map((row) => [row.fault, row.expected, row.got, `${row.seconds} s`]);
  const widths = header.map((_, column) =>
    Math.max(...[header, ...table].map((row) => row[column]?.length ?? 0)),
  );
  const line = (row: string[]) => row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ');
  const mark = (row: (typeof rows)[number]) => (row.got === row.expected ? ' ' : '✗');
  process.stdout.write(
    `\nfault matrix\n  ${line(header)}\n${table.map((row, index) => `${mark(rows[index] as (typeof rows)[number])} ${line(row)}`).join('\n')}\n`,
  );
});
