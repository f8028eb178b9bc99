/**
 * The fault matrix's rows (test/selftest/fault-matrix.test.ts): their shape, the builders the
 * tables use, and how a row is scheduled: the order rows start in and a row's Playwright workers.
 */

export type Dialect = 'contract' | 'netra';

export type Spec = '@golden-path' | '@auth' | '@isolation' | '@resilience';

export interface Row {
  spec: Spec;
  fault: string;
  expected: string;
  /** The tests the fault must fail (by title); the spec's other tests must pass. Default: every test. */
  fails?: RegExp;
  /** What the failure must say besides its code: the evidence a reader needs. */
  says?: RegExp;
  /** Only this row's budgets are tight: tight budgets on a loaded machine turn healthy rows red. */
  budgets?: string;
  /** The platform's dialect, and so the profile the harness runs with; default contract. */
  dialect?: Dialect;
  /** A profile of test/support/profiles/ the row's harness runs with (E2E_PROFILE). */
  profile?: string;
  /**
   * Extended rows prove again, for another event type, close code or variant, a check that a
   * core row (named here by its fault: same spec, same dialect or else contract) proves in
   * every `npm test`. They
   * run in `npm run matrix` (every row), which the self-test workflow runs nightly.
   */
  again?: string;
}

export const dialectOf = (row: Row): Dialect => row.dialect ?? 'contract';

/** Which rows a matrix run takes: SELFTEST_MATRIX=core (`npm test`), extended, or all (`npm run matrix`). */
export type Tier = 'core' | 'extended' | 'all';

export function tierOf(value: string | undefined): Tier {
  const tier = value === undefined || value === '' ? 'core' : value;
  if (tier === 'core' || tier === 'extended' || tier === 'all') return tier;
  throw new Error(`SELFTEST_MATRIX=${value} is not a matrix tier: use core (the default), extended or all`);
}

/**
 * The rows of `tier`. Every extended row must name a core row of its spec and dialect that
 * proves the same check; a table edit that leaves a check proven only nightly fails here.
 */
export function rowsOf(rows: readonly Row[], tier: Tier): Row[] {
  const core = rows.filter((row) => row.again === undefined);
  for (const row of rows) {
    if (row.again === undefined) continue;
    const proving = (dialect: Dialect) =>
      core.find(
        (other) => other.fault === row.again && other.spec === row.spec && dialectOf(other) === dialect,
      );
    // A netra row whose fault meets no netra-specific handling repeats the contract row's check.
    const proof = proving(dialectOf(row)) ?? proving('contract');
    if (proof === undefined)
      throw new Error(
        `extended row ${row.spec} ${row.fault} names no core row ${row.again} of its spec and dialect`,
      );
    if (proof.expected !== row.expected)
      throw new Error(
        `extended row ${row.spec} ${row.fault} expects ${row.expected}, its core row ${row.again} ${proof.expected}`,
      );
  }
  if (tier === 'all') return [...rows];
  return tier === 'core' ? core : rows.filter((row) => row.again !== undefined);
}

export const golden = (fault: string, expected: string, extra: Partial<Row> = {}): Row => ({
  spec: '@golden-path',
  fault,
  expected,
  ...extra,
});

/** An auth row: the socket accepts exactly one kind of bad credential; only its test fails. */
export const accepts = (fault: string, credential: string, dialect: Dialect = 'contract'): Row => ({
  spec: '@auth',
  fault,
  expected: 'WS_AUTH_NOT_ENFORCED',
  fails: new RegExp(`agent socket authentication › refuses ${credential},`),
  // netra's first connection of a process is welcomed with a system_message.
  says: new RegExp(
    `with ${credential}: accepted: ${dialect === 'netra' ? '(system_message )?' : ''}connection_established after \\d+ ms`,
  ),
  dialect,
});

/** Codes global setup gives before any browser starts: the run ends in seconds. */
export const SETUP_CODES: ReadonlySet<string> = new Set([
  'SERVICE_UNHEALTHY',
  'SERVICE_UNREACHABLE',
  'TOKEN_REJECTED',
  'USER_UNKNOWN',
  'TOKEN_INVALID',
]);
const SPEC_COST: Record<Spec, number> = { '@golden-path': 3, '@resilience': 4, '@isolation': 4, '@auth': 6 };

/**
 * A row's rough cost, relative to the others: a child run of the auth spec starts most browsers
 * (five tests, each failing one restarts its worker), a preflight failure starts none, and a
 * fault every auth test must wait out costs the most.
 */
function costOf(row: Row): number {
  if (SETUP_CODES.has(row.expected)) return 1;
  return SPEC_COST[row.spec] + (row.fault === 'ui-stays-on-dead-chat' ? 4 : 0);
}

/**
 * The order runs start in (a row alone, or a batch of rows: the sum of their costs): costliest
 * first, so the lanes end together rather than one lane finishing an auth row alone at the end;
 * equal costs keep the table's order.
 */
export const runOrder = <T extends { rows: readonly Row[] }>(units: readonly T[]): T[] => {
  const cost = (unit: T) => unit.rows.reduce((sum, row) => sum + costOf(row), 0);
  return units
    .map((unit, index) => ({ unit, index }))
    .sort((a, b) => cost(b.unit) - cost(a.unit) || a.index - b.index)
    .map(({ unit }) => unit);
};

/**
 * Playwright's workers for a row whose fault fails most of its spec's tests: each failing test
 * waits out its full timeout (twice the handshake timeout, for a way back to sign-in that never
 * comes) and then restarts its worker (a new process and browser). With one worker per user
 * (E2E_USERS lists four) they wait at once and at most one restarts. Elsewhere the config's two.
 */
const WORKER_PER_TEST = new Map([['ui-stays-on-dead-chat', 4]]);

export function workersFor(row: Row): string[] {
  const workers = WORKER_PER_TEST.get(row.fault);
  return workers === undefined ? [] : [`--workers=${workers}`];
}
