/**
 * A user-written profile that only overrides locators and paths (test/fixtures/custom-ids-profile.ts)
 * works against a frontend with test ids and paths of its own (PLATFORM_FRONTEND_IDS=custom),
 * with no change to the harness: the preflight, golden path, auth and isolation specs pass.
 * Without the profile the same journeys fail, each with a cause that names what it could not find
 * (never a bare timeout), so the passing run is owed to the profile. That run repeats the golden
 * path (sign-in and chat locators, the chat path) and one auth case (the callback path and its
 * parameter): every other journey fails at one of the same waits, and each costs a full wait.
 * One platform for both runs.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { EvidenceRecord } from '../../harness/evidence-record.ts';
import {
  type ChildRun,
  harnessEnv,
  ROOT,
  type RunningPlatform,
  runHarness,
  startPlatform,
} from '../support/platform.ts';

const PROFILE = path.join(ROOT, 'test', 'fixtures', 'custom-ids-profile.ts');
const SPECS = ['--grep', '@preflight|@golden-path|@auth|@isolation'];
const WITHOUT_PROFILE = ['--grep', '@golden-path|refuses a garbage token'];
/** Short waits: without the profile every journey ends at one of them. */
const LIMITS = {
  E2E_REPORT: 'minimal',
  E2E_TRACE: 'off',
  E2E_EVENT_TIMEOUT_MS: '6000',
  E2E_WS_HANDSHAKE_TIMEOUT_MS: '3000',
};

let platform: RunningPlatform;
before(async () => {
  platform = await startPlatform({ PLATFORM_FRONTEND_IDS: 'custom' });
});
after(() => platform?.stop());

const testsOf = (run: ChildRun): EvidenceRecord[] => run.diagnosis?.tests ?? [];
const evidence = (run: ChildRun) => `${run.stdout.slice(-3000)}\n${run.stderr.slice(-1500)}`;
const titled = (run: ChildRun, pattern: RegExp) => testsOf(run).filter((test) => pattern.test(test.title));

describe('a profile that overrides only ui locators and paths', () => {
  it('passes the preflight, golden path, auth and isolation specs against a frontend with its own ids', async () => {
    const run = await runHarness(SPECS, harnessEnv(platform.urls, { ...LIMITS, E2E_PROFILE: PROFILE }));
    assert.equal(run.exitCode, 0, evidence(run));
    const tests = testsOf(run);
    for (const spec of [/preflight/, /golden path/, /refuses/, /two users/])
      assert.ok(titled(run, spec).length > 0, `no test matching ${spec} ran\n${evidence(run)}`);
    assert.deepEqual(
      tests.filter((test) => test.status !== 'passed').map((test) => `${test.title}: ${test.status}`),
      [],
      evidence(run),
    );
    assert.match(
      `${run.stdout}${run.stderr}`,
      /custom-ids-profile\.ts/,
      'the console names the profile in use',
    );
  });

  it('without it the same journeys fail, each with a cause naming what it could not find', async () => {
    const run = await runHarness(WITHOUT_PROFILE, harnessEnv(platform.urls, LIMITS));
    assert.notEqual(run.exitCode, 0, evidence(run));
    assert.deepEqual(
      testsOf(run)
        .filter((test) => test.status === 'timedOut')
        .map((test) => test.title),
      [],
      `no bare timeout\n${evidence(run)}`,
    );
    const golden = titled(run, /golden path/);
    assert.ok(golden.length > 0, evidence(run));
    for (const test of golden) {
      assert.equal(test.code, 'LOGIN_FAILED', `${test.title}\n${evidence(run)}`);
      assert.match(
        test.summary ?? '',
        /neither the chat nor an alert appeared .* the page is at \/workspace/,
      );
    }
    const auth = titled(run, /refuses/);
    assert.ok(auth.length > 0, evidence(run));
    for (const test of auth) {
      assert.equal(test.code, 'UI_NOT_RENDERED', `${test.title}\n${evidence(run)}`);
      assert.match(
        test.summary ?? '',
        /the page should send the user back to sign in.*it is at \/auth\/callback/,
      );
    }
  });
});
