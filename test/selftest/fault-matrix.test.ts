/**
 * The harness proves its verdicts: for each fault the reference platform can inject, a child run
 * of one spec against a platform with that fault must fail with exactly the expected cause code
 * (in the tests that fault concerns, the spec's other tests passing), never a bare timeout; with
 * no fault every spec must pass. Each spec is shown failing this way at least once: a check that
 * no fault can make fail would prove nothing.
 *
 * Platforms are reused: each of a few lanes keeps one platform and switches its fault at run
 * time (`POST <api>/__platform/fault`, which every fault supports) between the runs it makes one
 * after another; runs on different lanes go at once, never two on one platform. Rows of one
 * spec and dialect whose fault global setup does not meet share one Playwright run, a batch
 * (test/support/matrix-batch/): one copy of the spec per row, all in one worker and browser,
 * the fault switched before each test, the evidence split back into rows. A row costs its
 * tests, not a Playwright start-up, a global setup and a browser of its own (BENCHMARKS.md).
 *
 * The netra rows (NETRA_MATRIX) prove every cause code again on a platform speaking netra
 * (PLATFORM_DIALECT=netra), with the profile a team would use (profiles/netra-local.ts,
 * E2E_JWT_SECRET). Rows start costliest first (runOrder) and print in the table's order.
 *
 * Two tiers (SELFTEST_MATRIX): `npm test` runs the core rows, at least one for every cause code
 * on each spec and dialect it can appear in; `npm run matrix` runs every row, the extended ones
 * (`again`) proving a core row's check again for another event type, close code or variant.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import type { EvidenceRecord } from '../../harness/evidence-record.ts';
import {
  accepts,
  type Dialect,
  dialectOf,
  golden,
  type Row,
  rowsOf,
  runOrder,
  type Spec,
  tierOf,
  workersFor,
} from '../support/fault-matrix-rows.ts';
import { rowOf, runBatch, unitsOf } from '../support/matrix-batch/run-batch.ts';
import {
  type ChildRun,
  firstCause,
  harnessEnv,
  ROOT,
  type RunningPlatform,
  runHarness,
  setPlatformFault,
  startPlatform,
} from '../support/platform.ts';

const MATRIX: Row[] = [
  golden('none', 'passed'),
  { spec: '@auth', fault: 'none', expected: 'passed' },
  { spec: '@isolation', fault: 'none', expected: 'passed' },
  { spec: '@resilience', fault: 'none', expected: 'passed' },
  golden('backend-health-500', 'SERVICE_UNHEALTHY', { says: /backend GET \/health .*HTTP 500/ }),
  golden('auth-db-disconnected', 'SERVICE_UNHEALTHY'),
  golden('bypass-key-rejected', 'TOKEN_REJECTED'),
  golden('user-missing', 'USER_UNKNOWN'),
  golden('foreign-signing-key', 'TOKEN_INVALID'),
  golden('login-rejects-password', 'LOGIN_FAILED', { says: /the page said "Invalid email or password"/ }),
  golden('ws-upgrade-403', 'WS_HANDSHAKE_REJECTED', { says: /HTTP 403/ }),
  golden('ws-close-1008', 'WS_AUTH_REJECTED', {
    says: /closed 1008 "auth failed: token expired" \d+ ms after the upgrade/,
  }),
  golden('ws-close-1011', 'WS_AUTH_REJECTED', { again: 'ws-close-1008' }),
  golden('ws-handshake-hang', 'WS_HANDSHAKE_TIMEOUT', { says: /neither opened nor closed within 4000 ms/ }),
  golden('ws-close-mid-run', 'WS_CLOSED_EARLY'),
  golden('drop-agent_started', 'EVENT_MISSING', { again: 'drop-tool_completed' }),
  golden('drop-agent_thinking', 'EVENT_MISSING', { again: 'drop-tool_completed' }),
  golden('drop-tool_executing', 'EVENT_MISSING', { again: 'drop-tool_completed' }),
  golden('drop-tool_completed', 'EVENT_MISSING', {
    says: /missing tool_completed in run run_\w+; arrived: agent_started, agent_thinking.*tool_executing/,
  }),
  golden('drop-agent_completed', 'EVENT_MISSING', { again: 'drop-tool_completed' }),
  golden('tool-completed-before-executing', 'EVENT_ORDER'),
  golden('completed-before-thinking', 'EVENT_ORDER', { again: 'tool-completed-before-executing' }),
  // The fault delays agent_started by PLATFORM_FAULT_DELAY_MS (3000): a 1500 ms budget catches it.
  golden('agent-started-delayed', 'EVENT_LATENCY', { budgets: 'agent_started=1500' }),
  golden('cross-user-leak', 'CROSS_USER_LEAK'),
  golden('ui-not-rendered', 'UI_NOT_RENDERED'),
  golden('ui-throws', 'PAGE_ERROR'),
  // Breaks of the contract a deployment can make in ways the faults above do not (issue 12).
  golden('jwks-500', 'SERVICE_UNHEALTHY', { says: /auth GET \/\.well-known\/jwks\.json .*HTTP 500/ }),
  golden('frontend-down', 'SERVICE_UNREACHABLE', { says: /frontend GET \/login/ }),
  golden('ws-revoke-on-message', 'WS_AUTH_REJECTED', { says: /closed 1008 "auth failed: session revoked"/ }),
  golden('ws-rate-limit-on-message', 'WS_CLOSED_EARLY', { says: /closed 1008 "rate limit exceeded"/ }),
  golden('ws-close-1000-mid-run', 'WS_CLOSED_EARLY', { says: /closed 1000/ }),
  golden('run-stalls', 'EVENT_MISSING', {
    says: /after 6000 ms \(E2E_EVENT_TIMEOUT_MS\) still missing tool_executing/,
  }),
  golden('event-after-completed', 'EVENT_ORDER', {
    says: /agent_completed arrived before agent_thinking/,
  }),
  golden('leak-after-completed', 'CROSS_USER_LEAK', { says: /agent_started of user \S+ \(run/ }),
  golden('ui-events-without-answer', 'UI_NOT_RENDERED', {
    says: /the answer \(agent_completed arrived \+\d+ ms after the message\) is not shown within the 3000 ms render budget/,
  }),
  golden('ui-answer-without-tools', 'UI_NOT_RENDERED', {
    says: /tool_executing \(arrived \+\d+ ms after the message\) is not shown/,
  }),
  golden('ui-renders-late', 'UI_NOT_RENDERED', {
    says: /render budget \(E2E_RENDER_BUDGET_MS\)/,
  }),
  accepts('ws-accepts-no-token', 'no token'),
  accepts('ws-accepts-garbage-token', 'a garbage token'),
  accepts('ws-accepts-expired-token', 'an expired token'),
  accepts('ws-accepts-foreign-key', 'a token signed by a foreign key'),
  {
    // Not a platform fault: the harness's own socket presents the token in a form this
    // deployment does not read. The bad credentials are all "refused"; the control, refused
    // too, is accepted as the built-in contract dialect presents the token: a mismatch.
    spec: '@auth',
    fault: 'none',
    profile: 'netra-token-form.ts',
    expected: 'PROTOCOL_MISMATCH',
    fails: /accepts the user's own token/,
    says: /with the user's own token: the configured "contract" dialect presents it as jwt\.<base64url\(token\)> \(besides "jwt-auth"\) \(E2E_PROFILE=\S*netra-token-form\.ts\): refused at the upgrade \(HTTP 401\).*the built-in "contract" dialect presents it as jwt\.<token> \(besides "jwt-auth"\), .*accepted: .*extends "contract"/,
  },
  {
    // The control's refusal stays WS_AUTH_REJECTED when the deployment refuses the valid token
    // in every dialect's form: the cross-check finds no presentation it accepts.
    spec: '@auth',
    fault: 'ws-close-1008',
    expected: 'WS_AUTH_REJECTED',
    fails: /accepts the user's own token/,
    says: /with the user's own token: opened, then closed 1008 .*prove nothing.*the built-in "netra" dialect presents it as jwt\.<base64url\(token\)> \(besides "jwt-auth"\), not accepted either/,
  },
  {
    spec: '@auth',
    fault: 'ui-stays-on-dead-chat',
    expected: 'UI_NOT_RENDERED',
    says: /the page should send the user back to sign in.*; it is at \/chat after \d+ ms/,
  },
  {
    spec: '@isolation',
    fault: 'isolation-leak-late',
    expected: 'CROSS_USER_LEAK',
    again: 'leak-in-progress-frame',
    // The run's own settle window, or its re-judging at the end of the test, sees the partner's
    // frame first; the spec's scan of both sockets is the last line.
    says: /of user usr_\w+ \(run run_\w+, thread [\w-]+\) reached this user's socket|socket mentions the other user's run, thread or id/,
  },
  {
    // A progress frame of the partner's run: noise to each run's verdict, so only the spec's
    // scan of every frame on both sockets can see it (npm run mutants: isolation-socket-scan-removed).
    spec: '@isolation',
    fault: 'leak-in-progress-frame',
    expected: 'CROSS_USER_LEAK',
    says: /frame #\d+ on \S+'s socket mentions the other user's run, thread or id/,
  },
  {
    spec: '@isolation',
    fault: 'ui-shows-other-answer',
    expected: 'CROSS_USER_LEAK',
    says: /page shows the other user's answer/,
  },
  {
    spec: '@resilience',
    fault: 'ui-never-reconnects',
    // No socket after the drop: the wait for a new connection ends at the handshake timeout.
    expected: 'WS_HANDSHAKE_TIMEOUT',
    says: /the page never opened the agent socket \S+ within 4000 ms/,
  },
];

/** A contract row, run on a netra platform: the same fault, code and evidence unless `extra` says otherwise. */
function onNetra(spec: Spec, fault: string, extra: Partial<Row> = {}): Row {
  const row = MATRIX.find((r) => r.spec === spec && r.fault === fault && r.profile === undefined);
  if (row === undefined) throw new Error(`no contract row ${spec} ${fault} to run on netra`);
  return { ...row, ...extra, dialect: 'netra' };
}

/**
 * Every cause code again on a platform speaking netra, with the profile a team would use
 * (profiles/netra-local.ts, E2E_JWT_SECRET): HS256 tokens, the refusal after accepting, two
 * handshake frames, repeated events, events without a thread id, netra's own pages.
 * Not here: `login-rejects-password` (netra has no password form; its sign-in, the callback,
 * fails with `login-rejects-callback`) and `jwks-500` (netra's tokens are HS256 with a shared
 * secret: it has no JWKS to fail), and `auth-db-disconnected` (netra's auth `/health` names no
 * database; only its older `/auth/health` does, which not every version serves, so the preflight
 * does not probe it).
 */
const NETRA_MATRIX: Row[] = [
  onNetra('@golden-path', 'none'),
  onNetra('@auth', 'none'),
  onNetra('@isolation', 'none'),
  onNetra('@resilience', 'none'),
  // netra's backend answers /api/health as well as /health: either may be the one named.
  onNetra('@golden-path', 'backend-health-500', { says: /backend GET \/(api\/)?health .*HTTP 500/ }),
  onNetra('@golden-path', 'frontend-down'),
  onNetra('@golden-path', 'bypass-key-rejected'),
  onNetra('@golden-path', 'user-missing'),
  // Tokens signed with the shared secret: another secret fails their check.
  onNetra('@golden-path', 'foreign-signing-key'),
  golden('login-rejects-callback', 'LOGIN_FAILED', {
    dialect: 'netra',
    says: /the page said "Sign-in failed: access denied"/,
  }),
  onNetra('@golden-path', 'ws-upgrade-403', { again: 'ws-upgrade-403' }),
  onNetra('@golden-path', 'ws-handshake-hang', { again: 'ws-handshake-hang' }),
  // netra accepts first, sends error_message, then closes with its own reason.
  onNetra('@golden-path', 'ws-close-1008', { says: /closed 1008 "SSOT Auth failed"/ }),
  onNetra('@golden-path', 'ws-close-mid-run', { again: 'ws-close-mid-run' }),
  // tool_completed comes twice (a retry): dropping it must drop both, not leave a repeat.
  onNetra('@golden-path', 'drop-tool_completed', { says: /missing tool_completed/ }),
  onNetra('@golden-path', 'tool-completed-before-executing'),
  onNetra('@golden-path', 'agent-started-delayed', { again: 'agent-started-delayed' }),
  // Half of netra's events carry no thread id: the leak is found by its run and user.
  onNetra('@golden-path', 'cross-user-leak'),
  onNetra('@golden-path', 'ui-not-rendered', { again: 'ui-not-rendered' }),
  // The answer is read from netra's object result: without it this row would pass.
  onNetra('@golden-path', 'ui-events-without-answer'),
  onNetra('@golden-path', 'ui-throws', { again: 'ui-throws' }),
  accepts('ws-accepts-no-token', 'no token', 'netra'),
  accepts('ws-accepts-garbage-token', 'a garbage token', 'netra'),
  accepts('ws-accepts-expired-token', 'an expired token', 'netra'),
  accepts('ws-accepts-foreign-key', 'a token signed by a foreign key', 'netra'),
  onNetra('@auth', 'ui-stays-on-dead-chat'),
  // netra's user ids are e2e-<name>; its path-B frames carry no thread.
  // Core on netra (its ids and thread-less frames are netra's own), extended on contract.
  onNetra('@isolation', 'isolation-leak-late', {
    again: undefined,
    says: /of user e2e-\w+ \(run run_\w+(, thread [\w-]+)?\) reached this user's socket|socket mentions the other user's run, thread or id/,
  }),
  onNetra('@isolation', 'ui-shows-other-answer'),
  onNetra('@resilience', 'ui-never-reconnects'),
];

/** This run's rows (SELFTEST_MATRIX: core in `npm test`, all in `npm run matrix`), in the order the table prints them. */
const TIER = tierOf(process.env.SELFTEST_MATRIX);
const ROWS = rowsOf([...MATRIX, ...NETRA_MATRIX], TIER);

/**
 * Limits short enough that faults which can only show as silence cost seconds, not the
 * defaults; event budgets stay at their generous defaults; no traces or HTML/Allure reports:
 * the verdict is read from diagnosis.json.
 */
const LIMITS = {
  E2E_REPORT: 'minimal',
  E2E_TRACE: 'off',
  E2E_EVENT_TIMEOUT_MS: '6000',
  E2E_WS_HANDSHAKE_TIMEOUT_MS: '4000',
};

/** Rows at once: each on its own lane (platform), so no two rows ever share a platform. */
const LANES = 3;

const PLATFORM_ENV = { PLATFORM_FAULT_DELAY_MS: '3000' };
const NETRA_SECRET = 'fault-matrix-netra-shared-secret-8d41';
const DIALECT_ENV: Record<Dialect, { platform: Record<string, string>; harness: Record<string, string> }> = {
  contract: { platform: {}, harness: {} },
  netra: {
    platform: { PLATFORM_DIALECT: 'netra', PLATFORM_JWT_SECRET: NETRA_SECRET },
    harness: { E2E_PROFILE: path.join(ROOT, 'profiles', 'netra-local.ts'), E2E_JWT_SECRET: NETRA_SECRET },
  },
};

/** Platforms kept between rows: a row takes one of its dialect, sets its fault, runs, clears it, gives it back. */
const idle: Record<Dialect, RunningPlatform[]> = { contract: [], netra: [] };
const started: RunningPlatform[] = [];

async function withPlatform<T>(
  dialect: Dialect,
  fault: string,
  use: (platform: RunningPlatform) => Promise<T>,
): Promise<T> {
  const lane =
    idle[dialect].pop() ?? (await startPlatform({ ...PLATFORM_ENV, ...DIALECT_ENV[dialect].platform }));
  if (!started.includes(lane)) started.push(lane);
  await setPlatformFault(lane.urls, fault);
  try {
    return await use(lane);
  } finally {
    await setPlatformFault(lane.urls, 'none');
    idle[dialect].push(lane);
  }
}

const testsOf = (run: ChildRun): EvidenceRecord[] => run.diagnosis?.tests ?? [];
const failedIn = (run: ChildRun) =>
  testsOf(run).filter((test) => test.status !== 'passed' && test.status !== 'skipped');

function outcome(run: ChildRun): string {
  if (run.exitCode === 0 && run.diagnosis?.status === 'passed') return 'passed';
  const codes = [...new Set(failedIn(run).map((test) => test.code ?? 'no cause code'))];
  if (codes.length > 0) return codes.join(', ');
  return firstCause(run) ?? `no cause code (exit ${run.exitCode}, status ${run.diagnosis?.status ?? 'none'})`;
}

interface Printed {
  row: Row;
  got: string;
  testSeconds: string;
  runSeconds: string;
}
const printed: Printed[] = [];

/** The failing test's own duration (the longest test's when none failed), from diagnosis.json. */
function testSeconds(run: ChildRun): string {
  const failed = failedIn(run)[0];
  const ms = failed ? failed.durationMs : Math.max(0, ...testsOf(run).map((test) => test.durationMs ?? 0));
  return ms === undefined ? '-' : `${(ms / 1000).toFixed(1)} s`;
}

const rowName = (row: Row) =>
  `${row.spec} ${row.fault}${row.dialect === 'netra' ? ' (netra)' : ''}${row.profile ? ` (profile ${row.profile})` : ''}`;

/** `output`: the run's, or for a batched row its batch's (which holds other rows' messages too). */
function check(row: Row, run: ChildRun, got: string, output: ChildRun = run): void {
  const name = rowName(row);
  const evidence = `${output.stdout.slice(-3000)}\n${output.stderr.slice(-1500)}`;
  assert.equal(got, row.expected, `${name}: expected ${row.expected}, got ${got}\n${evidence}`);
  if (row.fails) {
    const fails = row.fails;
    const wrong = testsOf(run).filter((test) => fails.test(test.title) !== (test.status !== 'passed'));
    assert.deepEqual(
      wrong.map((test) => `${test.title}: ${test.status}`),
      [],
      `${name}: exactly the tests matching ${fails} must fail, the others pass\n${evidence}`,
    );
  }
  if (row.says) {
    const summaries = failedIn(run).map((test) => test.summary ?? '');
    assert.match(
      `${summaries.join('\n')}\n${run.stdout}`,
      row.says,
      `${name}: the message lacks its evidence`,
    );
  }
  const timedOut = testsOf(run).filter((test) => test.status === 'timedOut');
  assert.deepEqual(timedOut, [], `${name} ended in a bare Playwright timeout`);
  if (row.expected === 'passed') {
    assert.ok(testsOf(run).length > 0, `${name}: no test ran`);
    assert.deepEqual(
      testsOf(run).filter((test) => test.status !== 'passed'),
      [],
      `${name}: every test must pass, none be skipped`,
    );
  } else assert.notEqual(run.exitCode, 0, `${name}: the run must exit non-zero`);
}

/** A row's harness environment: the matrix's limits, its dialect's profile, its budgets and profile. */
const limitsOf = (row: Row) => ({
  ...LIMITS,
  ...DIALECT_ENV[dialectOf(row)].harness,
  ...(row.budgets ? { E2E_EVENT_BUDGETS_MS: row.budgets } : {}),
  ...(row.profile ? { E2E_PROFILE: path.join(ROOT, 'test', 'support', 'profiles', row.profile) } : {}),
});

function record(row: Row, run: ChildRun, runSeconds: string, output: ChildRun = run): void {
  const got = outcome(run);
  printed.push({ row, got, testSeconds: testSeconds(run), runSeconds });
  check(row, run, got, output);
}
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** A row alone: its own child run of its spec, on a platform switched to its fault first. */
function alone(row: Row): void {
  it(`${rowName(row)} → ${row.expected}`, async () => {
    const run = await withPlatform(dialectOf(row), row.fault, (platform) =>
      runHarness(['--grep', row.spec, ...workersFor(row)], harnessEnv(platform.urls, limitsOf(row))),
    );
    record(row, run, seconds(run.durationMs));
  });
}

/** Rows in one batch (test/support/matrix-batch/): one run, each row's tests on its own fault. */
function batched(rows: Row[]): void {
  const [first] = rows;
  if (first === undefined) return;
  describe(`${rows.length} ${first.spec} rows${first.dialect === 'netra' ? ' (netra)' : ''} in one run`, () => {
    let batch: Promise<ChildRun> | undefined;
    const run = () => {
      batch ??= withPlatform(dialectOf(first), 'none', (platform) =>
        runBatch(rows, harnessEnv(platform.urls, limitsOf(first))),
      );
      return batch;
    };
    for (const row of rows)
      it(`${rowName(row)} → ${row.expected}`, async () => {
        const whole = await run();
        record(row, rowOf(whole, row), `${seconds(whole.durationMs)} (batch of ${rows.length})`, whole);
      });
  });
}

describe('fault matrix: each injected fault is reported with its exact cause', { concurrency: LANES }, () => {
  for (const unit of runOrder(unitsOf(ROWS))) {
    if (unit.rows.length === 1 && unit.rows[0]) alone(unit.rows[0]);
    else batched(unit.rows);
  }
});

after(async () => {
  await Promise.all(started.map((platform) => platform.stop()));
  printed.sort((a, b) => ROWS.indexOf(a.row) - ROWS.indexOf(b.row));
  const header = ['spec', 'fault', 'expected', 'got', 'test', 'run'];
  const table = printed.map(({ row, got, testSeconds, runSeconds }) => [
    row.spec,
    rowName(row).slice(row.spec.length + 1),
    row.expected,
    got,
    testSeconds,
    runSeconds,
  ]);
  const widths = header.map((_, column) =>
    Math.max(...[header, ...table].map((cells) => cells[column]?.length ?? 0)),
  );
  const line = (cells: string[]) => cells.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ');
  const mark = (index: number) => (printed[index]?.got === printed[index]?.row.expected ? ' ' : '✗');
  process.stdout.write(
    `\nfault matrix, ${TIER} rows (test: the failing test's own duration; run: the child run's wall time)\n  ${line(header)}\n${table.map((cells, index) => `${mark(index)} ${line(cells)}`).join('\n')}\n`,
  );
});
