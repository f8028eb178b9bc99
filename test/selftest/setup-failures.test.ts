/**
 * Bad configuration and bad credentials stop the run in global setup, before any browser
 * starts, each with its own cause code and a message that names what is wrong.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { harnessEnv, type RunningPlatform, runHarness, startPlatform } from '../support/platform.ts';

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

let platform: RunningPlatform;
before(async () => {
  platform = await startPlatform();
});
after(async () => {
  await platform.stop();
});

const cases: {
  name: string;
  env: () => Promise<Record<string, string>>;
  args?: string[];
  code: string;
  says: RegExp;
}[] = [
  {
    name: 'more workers than users',
    env: async () => ({ E2E_USERS: 'alice@example.test,bob@example.test' }),
    args: ['--workers=3'],
    code: 'CONFIG_INVALID',
    says: /3 workers but E2E_USERS lists 2 user\(s\)/,
  },
  {
    name: 'wrong bypass key',
    env: async () => ({ E2E_BYPASS_KEY: 'not-the-key' }),
    code: 'TOKEN_REJECTED',
    says: /bypass key rejected.*401/,
  },
  {
    name: 'unknown user',
    env: async () => ({ E2E_USERS: 'nobody@example.test' }),
    code: 'USER_UNKNOWN',
    says: /nobody@example\.test does not exist/,
  },
  {
    name: 'unreachable auth service',
    env: async () => ({ E2E_AUTH_URL: `http://127.0.0.1:${await closedPort()}` }),
    code: 'SERVICE_UNREACHABLE',
    says: /auth GET \/health .*connection refused/,
  },
  {
    name: 'missing E2E_USERS',
    env: async () => ({ E2E_USERS: '' }),
    code: 'CONFIG_INVALID',
    says: /E2E_USERS: missing/,
  },
  {
    name: 'malformed URL',
    env: async () => ({ E2E_API_URL: 'api.example.com' }),
    code: 'CONFIG_INVALID',
    says: /E2E_API_URL: "api\.example\.com" is not a URL/,
  },
  {
    name: 'non-numeric timeout',
    env: async () => ({ E2E_EVENT_TIMEOUT_MS: 'soon' }),
    code: 'CONFIG_INVALID',
    says: /E2E_EVENT_TIMEOUT_MS: "soon" is not a whole number/,
  },
  {
    name: 'production without the override',
    env: async () => ({ E2E_ENV: 'production' }),
    code: 'CONFIG_INVALID',
    says: /refusing to use the bypass key: E2E_ENV is production/,
  },
];

describe('failures before any browser starts', { concurrency: 2 }, () => {
  for (const failure of cases) {
    it(`${failure.name} → ${failure.code}`, async () => {
      const run = await runHarness(failure.args ?? [], harnessEnv(platform.urls, await failure.env()));
      const output = `${run.stdout}\n${run.stderr}`;
      assert.notEqual(run.exitCode, 0);
      const tests = run.diagnosis?.tests ?? [];
      assert.deepEqual(
        tests.map((test) => [test.title, test.code]),
        [['global setup', failure.code]],
        `expected only a global-setup failure with ${failure.code}:\n${output.slice(-2500)}`,
      );
      assert.match(output, failure.says);
      assert.doesNotMatch(output, /local-bypass-key|correct-horse-battery/, 'a secret was printed');
    });
  }
});
