import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import { CausedError } from '../../harness/causes.ts';
import { type HarnessConfig, loadConfig } from '../../harness/config.ts';
import {
  assertPreflight,
  formatPreflightTable,
  type PreflightResult,
  type Probe,
  runPreflight,
} from '../../harness/preflight.ts';
import { closedPort, type Stub, sendJson, serve } from './helpers/http.ts';

/**
 * The probe timeout of the one test that waits it out. Every other test allows ten seconds: a
 * healthy stub on a busy machine must never look unreachable.
 */
const TIMEOUT_MS = 400;

/** What each stub path answers; tests replace entries, `beforeEach` restores health. */
type Answer = (response: ServerResponse) => void;
const healthyAnswers = (): Record<string, Answer> => ({
  'auth /health': (res) =>
    sendJson(res, 200, {
      status: 'healthy',
      service: 'auth',
      version: '1.2.3',
      database_status: 'connected',
      environment: 'unit',
    }),
  'auth /.well-known/jwks.json': (res) => sendJson(res, 200, { keys: [{ kty: 'EC', kid: 'k1' }] }),
  'api /health': (res) => sendJson(res, 200, { status: 'healthy', service: 'backend', version: '2.0.0' }),
  'api /api/health': (res) => sendJson(res, 200, { status: 'healthy', service: 'backend', version: '2.0.0' }),
  'api /ws/health': (res) => sendJson(res, 200, { status: 'ok', connections: 0 }),
  'api /ws/config': (res) => sendJson(res, 200, { path: '/ws', subprotocols: ['jwt-auth'] }),
  'frontend /login': (res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('<!doctype html><title>Sign in</title><form>...</form>');
  },
});
let answers = healthyAnswers();

const stubs: Record<'auth' | 'api' | 'frontend', Stub | undefined> = {
  auth: undefined,
  api: undefined,
  frontend: undefined,
};
let stateDir = '';

before(async () => {
  stateDir = mkdtempSync(path.join(tmpdir(), 'gp-preflight-'));
  for (const name of ['auth', 'api', 'frontend'] as const) {
    stubs[name] = await serve((request, response) => {
      const answer = answers[`${name} ${request.url}`];
      if (answer) answer(response);
      else sendJson(response, 404, { error: 'not found' });
    });
  }
});
after(async () => {
  await Promise.all(Object.values(stubs).map((stub) => stub?.close()));
  rmSync(stateDir, { recursive: true, force: true });
});
beforeEach(() => {
  answers = healthyAnswers();
});

/** Configured only by E2E_* variables, like a deployment, pointed at the stubs. */
function config(overrides: Record<string, string> = {}): HarnessConfig {
  return loadConfig({
    cwd: stateDir,
    env: {
      E2E_ENV: 'unit',
      E2E_AUTH_URL: stubs.auth?.url,
      E2E_API_URL: stubs.api?.url,
      E2E_FRONTEND_URL: stubs.frontend?.url,
      E2E_BYPASS_KEY: 'unit-bypass-key',
      E2E_USERS: 'alice@example.test',
      E2E_PREFLIGHT_TIMEOUT_MS: '10000',
      ...overrides,
    },
  });
}

function preflightError(result: PreflightResult): CausedError {
  try {
    assertPreflight(result);
  } catch (error) {
    assert.ok(error instanceof CausedError, String(error));
    return error;
  }
  assert.fail('assertPreflight accepted a failed preflight');
}

const probeNamed = (result: PreflightResult, service: string, name: string): Probe => {
  const found = result.probes.find((item) => item.service === service && item.name === name);
  assert.ok(found, `${service} ${name}`);
  return found;
};

describe('runPreflight against healthy services', () => {
  test('all seven probes pass, with status, latency, excerpt and what the services said', async () => {
    const result = await runPreflight(config());
    assert.equal(result.ok, true, formatPreflightTable(result));
    assert.deepEqual(
      result.probes.map((item) => `${item.service} ${item.name}`),
      [
        'auth GET /health',
        'auth GET /.well-known/jwks.json',
        'backend GET /health',
        'backend GET /api/health',
        'backend GET /ws/health',
        'backend GET /ws/config',
        'frontend GET /login',
      ],
    );
    for (const item of result.probes) {
      assert.equal(item.status, 200);
      assert.equal(item.unreachable, false);
      assert.ok(Number.isFinite(item.latencyMs) && item.latencyMs >= 0, `${item.name}: ${item.latencyMs}`);
    }
    assert.match(probeNamed(result, 'frontend', 'GET /login').excerpt, /^<!doctype html><title>Sign in/);
    assert.deepEqual(result.services.auth, { version: '1.2.3', service: 'auth', environment: 'unit' });
    assert.deepEqual(result.services.backend, { version: '2.0.0', service: 'backend' });
    assert.ok(!Number.isNaN(Date.parse(result.at)));
    assert.doesNotThrow(() => assertPreflight(result));
  });

  test('probes run concurrently, not one after another', async () => {
    // No answer goes out until every probe's request has arrived: probes sent one after another
    // would leave the first waiting for the others, and it would time out.
    const healthy = Object.entries(healthyAnswers());
    const held: (() => void)[] = [];
    for (const [key, answer] of healthy) {
      answers[key] = (res) => {
        held.push(() => answer(res));
        if (held.length === healthy.length) for (const send of held) send();
      };
    }
    const result = await runPreflight(config());
    assert.equal(result.ok, true, formatPreflightTable(result));
    assert.equal(held.length, healthy.length);
  });
});

describe('runPreflight: SERVICE_UNHEALTHY', () => {
  test('a key set answering 500, or with no keys, is unhealthy: no token could be verified', async () => {
    answers['auth /.well-known/jwks.json'] = (res) => sendJson(res, 500, { detail: 'boom' });
    const failed = probeNamed(await runPreflight(config()), 'auth', 'GET /.well-known/jwks.json');
    assert.equal(failed.problem, 'HTTP 500');
    assert.equal(failed.unreachable, false);
    answers['auth /.well-known/jwks.json'] = (res) => sendJson(res, 200, { keys: [] });
    const empty = await runPreflight(config());
    assert.equal(probeNamed(empty, 'auth', 'GET /.well-known/jwks.json').problem, 'no keys in the key set');
    assert.equal(preflightError(empty).code, 'SERVICE_UNHEALTHY');
  });

  test('backend /health answering 500 names the service, the probe and the status', async () => {
    answers['api /health'] = (res) => {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('Internal Server Error');
    };
    const result = await runPreflight(config());
    assert.equal(result.ok, false);
    const failed = probeNamed(result, 'backend', 'GET /health');
    assert.equal(failed.status, 500);
    assert.equal(failed.problem, 'HTTP 500');
    assert.equal(failed.excerpt, 'Internal Server Error');
    assert.equal(result.probes.filter((item) => !item.ok).length, 1);
    const error = preflightError(result);
    assert.equal(error.code, 'SERVICE_UNHEALTHY');
    assert.ok(
      error.message.startsWith(
        `[SERVICE_UNHEALTHY] backend GET /health (${stubs.api?.url}/health): HTTP 500\n`,
      ),
    );
    assert.match(error.message, /FAIL\s+backend\s+GET \/health\s+500\s+\d+ ms\s+HTTP 500/);
    assert.match(error.message, /ok\s+auth\s+GET \/health\s+200/);
    assert.equal(error.evidence, result);
  });

  test('auth reporting its database disconnected', async () => {
    answers['auth /health'] = (res) =>
      sendJson(res, 200, { status: 'healthy', service: 'auth', database_status: 'disconnected' });
    const error = preflightError(await runPreflight(config()));
    assert.equal(error.code, 'SERVICE_UNHEALTHY');
    assert.match(error.message, /auth GET \/health .*database_status is "disconnected", not "connected"/);
  });

  test('a status other than "healthy"', async () => {
    answers['api /api/health'] = (res) => sendJson(res, 200, { status: 'degraded' });
    const error = preflightError(await runPreflight(config()));
    assert.equal(error.code, 'SERVICE_UNHEALTHY');
    assert.match(error.message, /backend GET \/api\/health .*status is "degraded", not "healthy"/);
  });

  test('a health answer that is not JSON', async () => {
    answers['api /ws/config'] = (res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html>proxy login</html>');
    };
    const error = preflightError(await runPreflight(config()));
    assert.equal(error.code, 'SERVICE_UNHEALTHY');
    assert.match(error.message, /backend GET \/ws\/config .*answer is not JSON/);
  });

  test('a frontend without /login', async () => {
    delete answers['frontend /login'];
    const error = preflightError(await runPreflight(config()));
    assert.equal(error.code, 'SERVICE_UNHEALTHY');
    assert.match(error.message, /frontend GET \/login .*HTTP 404/);
  });
});

describe('runPreflight: SERVICE_UNREACHABLE', () => {
  test('nothing listening on the auth port', async () => {
    const port = await closedPort();
    const result = await runPreflight(config({ E2E_AUTH_URL: `http://127.0.0.1:${port}` }));
    const probe = probeNamed(result, 'auth', 'GET /health');
    assert.equal(probe.unreachable, true);
    assert.equal(probe.status, undefined);
    assert.equal(probe.problem, 'connection refused (nothing listening)');
    const error = preflightError(result);
    assert.equal(error.code, 'SERVICE_UNREACHABLE');
    assert.ok(
      error.message.startsWith(`[SERVICE_UNREACHABLE] auth GET /health (http://127.0.0.1:${port}/health)`),
    );
    assert.match(error.message, /FAIL\s+auth\s+GET \/health\s+-\s+/);
  });

  test('an answer slower than E2E_PREFLIGHT_TIMEOUT_MS', { timeout: 10_000 }, async () => {
    // The stub never answers: the probe ends only because the harness gives up and hangs up.
    let hungUp: (answered: boolean) => void = () => undefined;
    const gaveUp = new Promise<boolean>((resolve) => {
      hungUp = resolve;
    });
    answers['api /ws/health'] = (res) => res.on('close', () => hungUp(res.writableEnded));
    const result = await runPreflight(config({ E2E_PREFLIGHT_TIMEOUT_MS: String(TIMEOUT_MS) }));
    const probe = probeNamed(result, 'backend', 'GET /ws/health');
    assert.equal(probe.unreachable, true);
    assert.equal(probe.problem, `no answer within ${TIMEOUT_MS} ms`);
    assert.equal(await gaveUp, false, 'the request was answered, so nothing timed out');
    const error = preflightError(result);
    assert.equal(error.code, 'SERVICE_UNREACHABLE');
    assert.match(error.message, /backend GET \/ws\/health .*no answer within 400 ms/);
  });

  test('unreachable is reported before unhealthy, and the table shows both', async () => {
    answers['api /health'] = (res) => sendJson(res, 503, { status: 'unhealthy' });
    const port = await closedPort();
    const result = await runPreflight(config({ E2E_FRONTEND_URL: `http://127.0.0.1:${port}` }));
    const error = preflightError(result);
    assert.equal(error.code, 'SERVICE_UNREACHABLE');
    assert.match(error.message, /^\[SERVICE_UNREACHABLE\] frontend GET \/login/);
    assert.match(error.message, /FAIL\s+backend\s+GET \/health\s+503/);
    assert.match(error.message, /FAIL\s+frontend\s+GET \/login\s+-/);
  });
});

describe('formatPreflightTable', () => {
  const probe = (overrides: Partial<Probe>): Probe => ({
    service: 'backend',
    name: 'GET /health',
    url: 'http://x/health',
    ok: true,
    unreachable: false,
    status: 200,
    latencyMs: 12,
    excerpt: '{"status":"healthy"}',
    ...overrides,
  });

  test('one aligned row per probe under a header; the problem replaces the excerpt', () => {
    const table = formatPreflightTable({
      ok: false,
      at: new Date(0).toISOString(),
      services: {},
      probes: [
        probe({}),
        probe({
          service: 'auth',
          ok: false,
          status: undefined,
          unreachable: true,
          problem: 'host name not found (DNS)',
        }),
        probe({ service: 'frontend', name: 'GET /login', excerpt: 'x'.repeat(100), latencyMs: 1234 }),
      ],
    });
    const rows = table.split('\n');
    assert.equal(rows.length, 4);
    assert.match(rows[0] ?? '', /^\s+service\s+probe\s+status\s+latency\s+answer\s*$/);
    assert.match(rows[1] ?? '', /^ok\s+backend\s+GET \/health\s+200\s+12 ms\s+\{"status":"healthy"\}/);
    assert.match(rows[2] ?? '', /^FAIL\s+auth\s+GET \/health\s+-\s+12 ms\s+host name not found \(DNS\)/);
    assert.ok(rows[3]?.trimEnd().endsWith(`1234 ms  ${'x'.repeat(60)}`));
    const column = (row: string | undefined, word: string) => row?.indexOf(word);
    assert.equal(column(rows[1], 'GET'), column(rows[0], 'probe'));
    assert.equal(column(rows[2], 'GET'), column(rows[0], 'probe'));
    assert.equal(column(rows[3], '1234 ms'), column(rows[0], 'latency'));
  });
});
