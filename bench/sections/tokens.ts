/**
 * 5. Token calls per run, counted by the auth service itself (reference-only stats). The
 * harness asks test-auth (or refresh) for tokens; the page signing in with the password form
 * calls /auth/login, which is the journey under test, so it is counted apart. "Without the
 * cache" is a run with an empty state folder (a fresh CI job); "with" is the next run on the
 * same folder. Each run has 3 golden paths, in 3 workers (--repeat-each), 4 configured users.
 */
import path from 'node:path';
import { harnessEnv, PLATFORM_DEFAULTS, type RunningPlatform } from '../../test/support/platform.ts';
import { runPlaywright, tail } from '../child.ts';
import { type BenchContext, waitForQuiet } from '../context.ts';
import { type AuthStats, proc } from '../platform-stats.ts';
import { goldenTests } from '../results.ts';

export interface TokenRun {
  signIn: 'password' | 'token-callback';
  cache: 'empty' | 'warm';
  goldenPaths: number;
  passed: number;
  users: number;
  /** Harness token requests: test-auth + refresh. */
  tokenRequests: number;
  testAuth: number;
  refresh: number;
  testAuthByUser: Record<string, number>;
  /** /auth/login calls: the page's own password sign-in (one per golden path). */
  uiLogins: number;
}

export interface TokenResult {
  runs: TokenRun[];
  /** Over a run without and then with the cache (one token lifetime): test-auth calls per user. */
  perUserPerLifetime: number;
}

function delta(
  before: AuthStats,
  after: AuthStats,
): Omit<TokenRun, 'signIn' | 'cache' | 'goldenPaths' | 'passed'> {
  const byUser: Record<string, number> = {};
  for (const [email, count] of Object.entries(after.test_auth_by_email)) {
    const calls = count - (before.test_auth_by_email[email] ?? 0);
    if (calls > 0) byUser[email] = calls;
  }
  const testAuth = after.test_auth - before.test_auth;
  const refresh = after.refresh - before.refresh;
  return {
    users: PLATFORM_DEFAULTS.users.length,
    tokenRequests: testAuth + refresh,
    testAuth,
    refresh,
    testAuthByUser: byUser,
    uiLogins: after.login - before.login,
  };
}

export async function tokens(context: BenchContext, platform: RunningPlatform): Promise<TokenResult> {
  const runs: TokenRun[] = [];
  const repeats = context.options.quick ? 1 : 3;
  for (const signIn of ['password', 'token-callback'] as const) {
    const stateDir = path.join(context.dir(`tokens-${signIn}-state`), 'state');
    for (const cache of ['empty', 'warm'] as const) {
      await waitForQuiet(context, `tokens (${signIn}, cache ${cache})`);
      const before = await proc.auth(platform);
      const run = await runPlaywright({
        dir: context.dir(`tokens-${signIn}-${cache}`),
        args: [`--repeat-each=${repeats}`, '--workers=1'],
        env: harnessEnv(platform.urls, signIn === 'password' ? {} : { E2E_USER_PASSWORD: '' }),
        stateDir,
      });
      const after = await proc.auth(platform);
      const golden = goldenTests(run.timing);
      if (golden.length === 0) context.log(`  tokens run ran no golden path:\n${tail(run, 8)}`);
      const entry: TokenRun = {
        signIn,
        cache,
        goldenPaths: golden.length,
        passed: golden.filter((test) => test.status === 'passed').length,
        ...delta(before, after),
      };
      runs.push(entry);
      context.log(
        `  ${signIn}, cache ${cache}: ${entry.tokenRequests} token request(s) (${entry.testAuth} test-auth, ${entry.refresh} refresh), ${entry.uiLogins} UI login(s), ${entry.passed}/${entry.goldenPaths} passed`,
      );
    }
  }
  const perUser = new Map<string, number>();
  for (const run of runs.filter((r) => r.signIn === 'password')) {
    for (const [email, calls] of Object.entries(run.testAuthByUser))
      perUser.set(email, (perUser.get(email) ?? 0) + calls);
  }
  return { runs, perUserPerLifetime: Math.max(0, ...perUser.values()) };
}
