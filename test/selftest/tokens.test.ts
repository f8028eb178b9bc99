/**
 * Tokens done right, proven against the reference platform's own counters: a second run inside
 * the token lifetime asks the auth service for nothing, and a token that expires mid-run is
 * refreshed while the run still passes.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { harnessEnv, runHarness, startPlatform } from '../support/platform.ts';

type AuthStats = { test_auth: number; login: number; refresh: number };

describe('tokens', { concurrency: 2 }, () => {
  it('a second run within the token lifetime makes no token request', async () => {
    const platform = await startPlatform();
    try {
      const out = mkdtempSync(path.join(tmpdir(), 'golden-path-cache-'));
      // Both runs share one state folder, as two `npm run golden-path` on one machine do.
      const env = harnessEnv(platform.urls, { E2E_STATE_DIR: path.join(out, 'state') });
      const first = await runHarness(['--grep', '@golden-path'], env, path.join(out, 'first'));
      assert.equal(first.exitCode, 0, first.stdout.slice(-2000));
      const afterFirst = (await platform.stats('auth')) as AuthStats;
      assert.equal(afterFirst.test_auth, 4, 'one test-auth call per configured user on the first run');

      const second = await runHarness(['--grep', '@golden-path'], env, path.join(out, 'second'));
      assert.equal(second.exitCode, 0, second.stdout.slice(-2000));
      const afterSecond = (await platform.stats('auth')) as AuthStats;
      assert.equal(afterSecond.test_auth, afterFirst.test_auth, 'the second run asked test-auth again');
      assert.equal(
        afterSecond.refresh,
        afterFirst.refresh,
        'the second run refreshed a token it could reuse',
      );
      assert.match(second.stdout, /token for alice@example\.test \(usr_\w+\): cache/);
    } finally {
      await platform.stop();
    }
  });

  it('a token that expires mid-run is refreshed and the run passes', async () => {
    const platform = await startPlatform({ PLATFORM_TOKEN_TTL_S: '6' });
    try {
      // No password: the page signs in with the harness's token, so its expiry matters.
      const env = harnessEnv(platform.urls, { E2E_USER_PASSWORD: '', E2E_TOKEN_MIN_VALIDITY_S: '3' });
      const run = await runHarness(['--grep', '@golden-path', '--repeat-each=4', '--workers=1'], env);
      assert.equal(run.exitCode, 0, run.stdout.slice(-3000));
      const stats = (await platform.stats('auth')) as AuthStats;
      assert.ok(
        stats.refresh >= 1,
        `expected at least one /auth/refresh during the run, got ${stats.refresh}`,
      );
    } finally {
      await platform.stop();
    }
  });
});
