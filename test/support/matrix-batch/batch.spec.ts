/**
 * Several fault-matrix rows of one spec in one Playwright run (test/selftest/fault-matrix.test.ts,
 * `runBatch`): the e2e spec SELFTEST_BATCH_SPEC names runs once per fault SELFTEST_BATCH_FAULTS
 * lists (`--repeat-each`, one repeat per row). Before each test the platform is switched to its
 * repeat's fault, and the test is annotated with it, so the matrix splits the run's evidence back
 * into rows. The config runs one worker: no two tests, so no two faults, share the platform at once.
 *
 * What a child run per row spent starting Playwright, loading the config and running global
 * setup (preflight, tokens) is spent once per batch. Faults that global setup meets (an unhealthy
 * service, a rejected bypass key, ...) are not batched: the platform is healthy when a batch starts.
 */
import { test } from '../../../fixtures/index.ts';

export const BATCH_ANNOTATION = 'matrix-fault';
export const BATCH_ERROR_ANNOTATION = 'matrix-error';

const faults = (process.env.SELFTEST_BATCH_FAULTS ?? '').split(',').filter(Boolean);
const spec = process.env.SELFTEST_BATCH_SPEC ?? '';
const api = process.env.E2E_API_URL ?? '';
if (faults.length === 0 || !/^[a-z-]+$/.test(spec) || api === '')
  throw new Error(
    'a matrix batch needs SELFTEST_BATCH_FAULTS, SELFTEST_BATCH_SPEC (an e2e spec name) and E2E_API_URL',
  );

// biome-ignore lint/correctness/noEmptyPattern: Playwright hooks take their fixtures as a pattern.
test.beforeEach(async ({}, testInfo) => {
  const fault = faults[testInfo.repeatEachIndex];
  if (fault === undefined)
    throw new Error(
      `repeat ${testInfo.repeatEachIndex} has no fault: --repeat-each must be ${faults.length}`,
    );
  testInfo.annotations.push({ type: BATCH_ANNOTATION, description: fault });
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

await import(`../../../e2e/${spec}.spec.ts`);
