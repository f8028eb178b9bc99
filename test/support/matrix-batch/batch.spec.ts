/**
 * Several fault-matrix rows of one spec in one Playwright run (test/selftest/fault-matrix.test.ts,
 * `runBatch`): the e2e spec SELFTEST_BATCH_SPEC names is declared once per fault
 * SELFTEST_BATCH_FAULTS lists, each copy titled with its row. Before each test the platform is
 * switched to its row's fault, and the test is annotated with it, so the matrix splits the run's
 * evidence back into rows. The config runs one worker: no two tests, so no two faults, share the
 * platform at once.
 *
 * Copies, not `--repeat-each`: Playwright makes the repeat index part of a worker's identity, so
 * every repeat started a worker and a browser of its own. The copies are tests of one file with
 * the same fixtures, and share one. The tests a row's fault must fail are marked `test.fail()`
 * (SELFTEST_BATCH_FAILS: per row, the source of a pattern of the titles expected to fail, or
 * null for none), because Playwright also restarts its worker after every unexpected failure.
 * The mark judges nothing: the matrix reads each test's status and cause from diagnosis.json,
 * and a test the fault failed to fail is `passed` there, whatever Playwright made of it.
 *
 * What a child run per row spent starting Playwright, loading the config and running global
 * setup (preflight, tokens) is spent once per batch. Faults that global setup meets (an unhealthy
 * service, a rejected bypass key, ...) are not batched: the platform is healthy when a batch starts.
 */
import { test } from '../../../fixtures/index.ts';

export const BATCH_ANNOTATION = 'matrix-fault';
export const BATCH_ERROR_ANNOTATION = 'matrix-error';

const faults = (process.env.SELFTEST_BATCH_FAULTS ?? '').split(',').filter(Boolean);
const fails: (string | null)[] = JSON.parse(process.env.SELFTEST_BATCH_FAILS ?? '[]');
const spec = process.env.SELFTEST_BATCH_SPEC ?? '';
const api = process.env.E2E_API_URL ?? '';
if (faults.length === 0 || fails.length !== faults.length || !/^[a-z-]+$/.test(spec) || api === '')
  throw new Error(
    'a matrix batch needs SELFTEST_BATCH_FAULTS, SELFTEST_BATCH_FAILS (one entry per fault), SELFTEST_BATCH_SPEC (an e2e spec name) and E2E_API_URL',
  );

/** A row's copy of the spec is titled with its row: `[row 2: ws-close-1008] golden path › ...`. */
const rowTitle = (index: number) => `[row ${index + 1}: ${faults[index]}]`;
const rowOf = (titlePath: readonly string[]) =>
  faults.findIndex((_, index) => titlePath.some((title) => title.startsWith(`${rowTitle(index)} `)));

// biome-ignore lint/correctness/noEmptyPattern: Playwright hooks take their fixtures as a pattern.
test.beforeEach(async ({}, testInfo) => {
  const row = rowOf(testInfo.titlePath);
  const fault = faults[row];
  if (fault === undefined) throw new Error(`"${testInfo.titlePath.join(' › ')}" is no row's test`);
  testInfo.annotations.push({ type: BATCH_ANNOTATION, description: fault });
  const failing = fails[row];
  if (typeof failing === 'string') testInfo.fail(new RegExp(failing).test(testInfo.titlePath.join(' › ')));
  const response = await fetch(`${api}/__platform/fault?name=${encodeURIComponent(fault)}`, {
    method: 'POST',
  });
  if (!response.ok)
    throw new Error(`switching the platform to ${fault}: HTTP ${response.status} ${await response.text()}`);
});

// The whole failure, not only its first line (the evidence record's summary), for the rows' `says`.
// biome-ignore lint/correctness/noEmptyPattern: Playwright hooks take their fixtures as a pattern.
test.afterEach(async ({}, testInfo) => {
  const messages = testInfo.errors.map((error) => error.message ?? error.value ?? '').filter(Boolean);
  if (messages.length > 0)
    testInfo.annotations.push({ type: BATCH_ERROR_ANNOTATION, description: messages.join('\n') });
});

// One copy of the spec per row, each a module instance of its own (the query in its URL), its
// describe titled with the row, so that Playwright sees distinct tests of one file: they share
// one worker. (`--repeat-each` gives every repeat a worker of its own.)
const describe = test.describe;
for (const index of faults.keys()) {
  test.describe = Object.assign(
    (title: string, ...rest: unknown[]) =>
      (describe as (...args: unknown[]) => void)(`${rowTitle(index)} ${title}`, ...rest),
    describe,
  ) as typeof describe;
  await import(`../../../e2e/${spec}.spec.ts?row=${index}`);
}
test.describe = describe;
