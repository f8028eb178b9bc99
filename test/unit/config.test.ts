import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { CausedError } from '../../harness/causes.ts';
import { describeConfig, LOCAL_DEFAULTS, loadConfig, resolveEnvironment } from '../../harness/config.ts';

const dirs: string[] = [];
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** A folder holding the given `.env*` files. */
function folder(files: Record<string, string> = {}): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'gp-config-'));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}

const lines = (values: Record<string, string>) =>
  Object.entries(values)
    .map(([key, value]) => `${key}=${value}`)
    .join('\n');

/** A complete non-local deployment's settings. */
const STAGING = {
  E2E_ENV: 'staging',
  E2E_FRONTEND_URL: 'https://app.staging.example.com',
  E2E_API_URL: 'https://api.staging.example.com',
  E2E_AUTH_URL: 'https://auth.staging.example.com',
  E2E_BYPASS_KEY: 'staging-bypass-key-0123456789',
  E2E_USERS: 'e2e-1@example.com, e2e-2@example.com',
};

/** The CONFIG_INVALID error loadConfig throws, checked for its shape. */
function configError(options: Parameters<typeof loadConfig>[0]): CausedError {
  try {
    loadConfig(options);
  } catch (error) {
    assert.ok(error instanceof CausedError, String(error));
    assert.equal(error.code, 'CONFIG_INVALID');
    assert.match(error.message, /^\[CONFIG_INVALID\] /);
    return error;
  }
  assert.fail('loadConfig accepted the settings');
}

const badVariables = (error: CausedError) => (error.evidence as { variables: string[] }).variables;

describe('config precedence: process env > .env.<E2E_ENV> > .env', () => {
  const files = {
    '.env': lines({ ...STAGING, E2E_EVENT_TIMEOUT_MS: '1000', E2E_JWT_ISSUER: 'from-dotenv' }),
    '.env.staging': lines({
      E2E_EVENT_TIMEOUT_MS: '2000',
      E2E_API_URL: 'https://api-from-staging.example.com',
    }),
  };

  test('the process environment wins over both files', () => {
    const config = loadConfig({ cwd: folder(files), env: { E2E_EVENT_TIMEOUT_MS: '3000' } });
    assert.equal(config.eventTimeoutMs, 3000);
    assert.equal(config.apiUrl, 'https://api-from-staging.example.com');
    assert.equal(config.jwtIssuer, 'from-dotenv');
  });

  test('.env.<E2E_ENV> wins over .env', () => {
    const config = loadConfig({ cwd: folder(files), env: {} });
    assert.equal(config.env, 'staging');
    assert.equal(config.isLocal, false);
    assert.equal(config.eventTimeoutMs, 2000);
  });

  test('.env alone is used when no named file exists', () => {
    const config = loadConfig({ cwd: folder({ '.env': files['.env'] }), env: {} });
    assert.equal(config.eventTimeoutMs, 1000);
    assert.equal(config.apiUrl, 'https://api.staging.example.com');
  });

  test('E2E_ENV from the process picks the named file', () => {
    const dir = folder({ ...files, '.env.qa': lines({ E2E_EVENT_TIMEOUT_MS: '4000' }) });
    const config = loadConfig({ cwd: dir, env: { E2E_ENV: 'qa' } });
    assert.equal(config.env, 'qa');
    assert.equal(config.eventTimeoutMs, 4000);
  });

  test('an empty process variable does not blank out a file value', () => {
    const config = loadConfig({ cwd: folder(files), env: { E2E_API_URL: '' } });
    assert.equal(config.apiUrl, 'https://api-from-staging.example.com');
  });

  test('loading leaves the given environment untouched', () => {
    const env = { E2E_ENV: 'staging' };
    const merged = resolveEnvironment({ cwd: folder(files), env });
    assert.equal(merged.E2E_BYPASS_KEY, STAGING.E2E_BYPASS_KEY);
    assert.deepEqual(env, { E2E_ENV: 'staging' });
  });
});

describe('config defaults', () => {
  test('E2E_ENV=local (the default) gets the bundled platform settings', () => {
    const dir = folder();
    const config = loadConfig({ cwd: dir, env: {} });
    assert.equal(config.env, 'local');
    assert.equal(config.isLocal, true);
    assert.equal(config.frontendUrl, LOCAL_DEFAULTS.E2E_FRONTEND_URL);
    assert.equal(config.authUrl, LOCAL_DEFAULTS.E2E_AUTH_URL);
    assert.equal(config.wsUrl, 'ws://127.0.0.1:47812/ws');
    assert.equal(config.users.length, 4);
    assert.equal(config.eventTimeoutMs, 30_000);
    assert.equal(config.tokenMinValidityS, 120);
    assert.equal(config.stateDir, path.join(dir, '.golden-path'));
  });

  test('any other E2E_ENV has no defaults: every missing required variable is named at once', () => {
    const error = configError({ cwd: folder(), env: { E2E_ENV: 'staging' } });
    assert.deepEqual(badVariables(error), [
      'E2E_FRONTEND_URL',
      'E2E_API_URL',
      'E2E_AUTH_URL',
      'E2E_BYPASS_KEY',
      'E2E_USERS',
    ]);
    assert.match(error.message, /E2E_ENV=staging: 5 setting\(s\) to fix/);
    assert.match(
      error.message,
      /E2E_USERS: missing; want comma-separated emails of users that already exist/,
    );
    assert.doesNotMatch(error.message, /E2E_WS_URL/);
  });

  test('a complete staging config needs no file; E2E_WS_URL follows the API (https → wss)', () => {
    const config = loadConfig({
      cwd: folder(),
      env: { ...STAGING, E2E_API_URL: 'https://api.example.com/' },
    });
    assert.equal(config.apiUrl, 'https://api.example.com');
    assert.equal(config.wsUrl, 'wss://api.example.com/ws');
    assert.deepEqual(config.users, ['e2e-1@example.com', 'e2e-2@example.com']);
    assert.equal(config.password, undefined);
    assert.equal(config.jwtIssuer, undefined);
    assert.equal(config.controlUrl, undefined);
  });

  test('an explicit E2E_WS_URL and budgets are taken as given', () => {
    const config = loadConfig({
      cwd: folder(),
      env: {
        ...STAGING,
        E2E_WS_URL: 'wss://sockets.example.com/ws',
        E2E_EVENT_BUDGETS_MS: 'agent_started=3000, agent_completed=20000',
      },
    });
    assert.equal(config.wsUrl, 'wss://sockets.example.com/ws');
    assert.equal(config.budgets.agent_started, 3000);
    assert.equal(config.budgets.agent_completed, 20000);
    assert.equal(config.budgets.agent_thinking, 10_000);
  });
});

describe('[CONFIG_INVALID] names every bad variable', () => {
  test('missing E2E_USERS, malformed URL, non-numeric timeout and bad budgets together', () => {
    const env = {
      ...STAGING,
      E2E_USERS: '',
      E2E_API_URL: 'api.staging.example.com',
      E2E_AUTH_URL: 'ftp://auth.example.com',
      E2E_EVENT_TIMEOUT_MS: '30s',
      E2E_WS_HANDSHAKE_TIMEOUT_MS: '0',
      E2E_EVENT_BUDGETS_MS: 'agent_started=fast,agent_finished=100',
    };
    const error = configError({ cwd: folder(), env });
    assert.deepEqual(badVariables(error), [
      'E2E_API_URL',
      'E2E_AUTH_URL',
      'E2E_USERS',
      'E2E_EVENT_BUDGETS_MS',
      'E2E_EVENT_BUDGETS_MS',
      'E2E_EVENT_TIMEOUT_MS',
      'E2E_WS_HANDSHAKE_TIMEOUT_MS',
    ]);
    const message = error.message;
    assert.match(message, /E2E_API_URL: "api\.staging\.example\.com" is not a URL; want backend base URL/);
    assert.match(message, /E2E_AUTH_URL: "ftp:\/\/auth\.example\.com" uses ftp: \(allowed: http: https:\)/);
    assert.match(message, /E2E_USERS: missing/);
    assert.match(message, /E2E_EVENT_TIMEOUT_MS: "30s" is not a whole number ≥ 1/);
    assert.match(message, /E2E_WS_HANDSHAKE_TIMEOUT_MS: "0" is not a whole number ≥ 1/);
    assert.match(message, /E2E_EVENT_BUDGETS_MS: "agent_started=fast" is not <event>=<ms>/);
    assert.match(message, /E2E_EVENT_BUDGETS_MS: "agent_finished=100" is not <event>=<ms>/);
    assert.match(message, /7 setting\(s\) to fix/);
    assert.doesNotMatch(message, new RegExp(STAGING.E2E_BYPASS_KEY));
  });

  test('a bad value in local is reported, not replaced by the default', () => {
    const error = configError({
      cwd: folder(),
      env: { E2E_EVENT_TIMEOUT_MS: 'soon', E2E_WS_URL: 'http://x/ws' },
    });
    assert.deepEqual(badVariables(error), ['E2E_WS_URL', 'E2E_EVENT_TIMEOUT_MS']);
    assert.match(error.message, /E2E_WS_URL: "http:\/\/x\/ws" uses http: \(allowed: ws: wss:\)/);
  });

  test('users that are not emails, or listed twice', () => {
    const error = configError({
      cwd: folder(),
      env: { ...STAGING, E2E_USERS: 'a@example.com,bob,a@example.com' },
    });
    assert.match(error.message, /E2E_USERS: not email addresses: bob/);
    assert.match(error.message, /E2E_USERS: lists a user twice/);
  });

  test('a budget entry with extra parts is malformed', () => {
    const error = configError({
      cwd: folder(),
      env: { ...STAGING, E2E_EVENT_BUDGETS_MS: 'agent_started=1=2' },
    });
    assert.deepEqual(badVariables(error), ['E2E_EVENT_BUDGETS_MS']);
  });

  test('E2E_TRACE takes only a trace mode, and defaults to retain-on-failure', () => {
    const error = configError({ cwd: folder(), env: { ...STAGING, E2E_TRACE: 'always' } });
    assert.deepEqual(badVariables(error), ['E2E_TRACE']);
    assert.match(error.message, /E2E_TRACE: "always" is not a trace mode; want `retain-on-failure`/);
    assert.equal(loadConfig({ cwd: folder(), env: STAGING }).trace, 'retain-on-failure');
    assert.equal(loadConfig({ cwd: folder(), env: { ...STAGING, E2E_TRACE: 'on' } }).trace, 'on');
  });

  test('the production override accepts only the exact words', () => {
    const error = configError({ cwd: folder(), env: { ...STAGING, E2E_ALLOW_PRODUCTION_BYPASS: 'yes' } });
    assert.deepEqual(badVariables(error), ['E2E_ALLOW_PRODUCTION_BYPASS']);
    const config = loadConfig({
      cwd: folder(),
      env: { ...STAGING, E2E_ALLOW_PRODUCTION_BYPASS: 'yes-i-know' },
    });
    assert.equal(config.allowProductionBypass, true);
  });
});

describe('describeConfig', () => {
  test('shows secrets only as presence and length', () => {
    const password = 'pw-correct-horse-42';
    const config = loadConfig({ cwd: folder(), env: { ...STAGING, E2E_USER_PASSWORD: password } });
    const described = describeConfig(config);
    assert.equal(described.E2E_BYPASS_KEY, `set (${STAGING.E2E_BYPASS_KEY.length} chars)`);
    assert.equal(described.E2E_USER_PASSWORD, `set (${password.length} chars)`);
    const printed = JSON.stringify(described);
    assert.ok(!printed.includes(STAGING.E2E_BYPASS_KEY));
    assert.ok(!printed.includes(password));
    assert.equal(described.E2E_USERS, 'e2e-1@example.com, e2e-2@example.com');
    assert.equal(described.E2E_API_URL, STAGING.E2E_API_URL);
  });

  test('an unset password reads "not set"', () => {
    const described = describeConfig(loadConfig({ cwd: folder(), env: STAGING }));
    assert.equal(described.E2E_USER_PASSWORD, 'not set');
  });
});
