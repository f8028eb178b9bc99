/**
 * Puts global setup's preflight and token results into the reports (HTML and Allure), as a
 * test of its own. It opens no browser. It need not run first: global setup has already
 * stopped the run, before any worker started, if a service or a token failed. (It used to be a
 * project of its own that the journeys depended on: that cost a worker start, about 1.2 s of
 * every run, for no extra safety. BENCHMARKS.md.)
 */
import { expect, test } from '@playwright/test';
import { loadConfig } from '../harness/config.ts';
import { formatPreflightTable } from '../harness/preflight.ts';
import { readRunState } from '../harness/run-context.ts';

test('preflight: services healthy and tokens verified', { tag: '@preflight' }, async () => {
  const state = readRunState(loadConfig().stateDir);
  expect(state, 'global setup left no run.json in the state folder').toBeDefined();
  if (!state) return;
  await test
    .info()
    .attach('preflight.txt', { body: formatPreflightTable(state.preflight), contentType: 'text/plain' });
  await test.info().attach('preflight.json', {
    body: JSON.stringify({ preflight: state.preflight, users: state.users }, null, 2),
    contentType: 'application/json',
  });
  for (const probe of state.preflight.probes) {
    await test.step(`${probe.service} ${probe.name}: ${probe.status ?? '-'} in ${probe.latencyMs} ms`, () => {
      expect(probe.ok, `${probe.url}: ${probe.problem ?? 'ok'}`).toBe(true);
    });
  }
  for (const user of state.users) {
    await test.step(`token for ${user.email} verified (${user.tokenSource}, valid ${user.validForS} s)`, () => {
      expect(user.userId).toBeTruthy();
    });
  }
});
