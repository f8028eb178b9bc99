/**
 * The reference platform with PLATFORM_DIALECT=netra speaks the netra dialect (docs/netra.md)
 * on every point, over HTTP and `ws`, and its faults behave as in the contract dialect. One
 * check opens the pages in a browser to see them render with netra's test ids.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { chromium } from '@playwright/test';
import { decodeProtectedHeader, jwtVerify } from 'jose';
import { CHROMIUM_ARGS, chooseBrowser } from '../../harness/browser.ts';
import {
  AGENT_EVENTS,
  completions,
  type Frame,
  get,
  type Json,
  NETRA,
  oneRun,
  open,
  post,
  runOf,
  SECRET,
  subprotocols,
  tokenFor,
  welcomed,
} from '../support/netra-client.ts';
import { PLATFORM_DEFAULTS, type RunningPlatform, startPlatform } from '../support/platform.ts';

describe('platform, netra dialect', () => {
  let platform: RunningPlatform;
  before(async () => {
    platform = await startPlatform(NETRA);
  });
  after(() => platform.stop());

  it('mints HS256 tokens for test-auth with netra’s answer, and has no JWKS', async () => {
    const answer = await post(
      `${platform.urls.auth}/auth/e2e/test-auth`,
      { email: 'alice@example.test', name: 'Alice', permissions: ['read'], simulate_oauth: true },
      { 'x-e2e-bypass-key': PLATFORM_DEFAULTS.bypassKey },
    );
    assert.equal(answer.status, 200);
    const token = String(answer.body.access_token);
    assert.equal(decodeProtectedHeader(token).alg, 'HS256');
    const { payload } = await jwtVerify(token, SECRET);
    assert.equal(payload.sub, 'e2e-alice');
    assert.equal(payload.email, 'alice@example.test');
    assert.deepEqual(answer.body.user, {
      id: 'e2e-alice',
      email: 'alice@example.test',
      name: 'Alice',
      permissions: ['read'],
      oauth_simulated: true,
    });
    assert.equal(answer.body.token_type, 'Bearer');
    assert.equal((await get(`${platform.urls.auth}/.well-known/jwks.json`)).status, 404);
    const unknown = await post(
      `${platform.urls.auth}/auth/e2e/test-auth`,
      { email: 'nobody@else.test' },
      { 'x-e2e-bypass-key': PLATFORM_DEFAULTS.bypassKey },
    );
    assert.equal((unknown.body.user as Json).id, 'e2e-nobody', 'netra mints for any email');
    assert.equal((await post(`${platform.urls.auth}/auth/e2e/test-auth`, {})).status, 401);
    const wrong = await post(`${platform.urls.auth}/auth/e2e/test-auth`, {}, { 'x-e2e-bypass-key': 'nope' });
    assert.equal(wrong.status, 401);

    const refreshed = await post(`${platform.urls.auth}/auth/refresh`, {
      refresh_token: answer.body.refresh_token,
    });
    assert.equal(refreshed.status, 200);
    assert.equal(refreshed.body.user, undefined);
    assert.equal((await jwtVerify(String(refreshed.body.access_token), SECRET)).payload.sub, 'e2e-alice');
    assert.equal((await post(`${platform.urls.auth}/auth/refresh`, {})).status, 422);
    assert.equal((await post(`${platform.urls.auth}/auth/refresh`, { refresh_token: 'x' })).status, 401);
  });

  it('answers health as netra does', async () => {
    const auth = await get(`${platform.urls.auth}/health`);
    assert.equal(auth.body.status, 'healthy');
    assert.equal('database_status' in auth.body, false);
    assert.deepEqual((await get(`${platform.urls.api}/api/health`)).body, { status: 'ok' });
    const health = (await get(`${platform.urls.api}/health`)).body;
    assert.equal(health.status, 'healthy');
    assert.equal(typeof health.service, 'string');
    assert.equal(typeof health.version, 'string');
    assert.equal(typeof health.timestamp, 'number');
  });

  it('accepts the base64url and the raw token, and alternates its two handshake frames', async () => {
    const token = await tokenFor(platform);
    const first = open(platform.urls.ws, subprotocols(token));
    const second = open(platform.urls.ws, ['jwt-auth', `jwt.${token}`]);
    const welcomes = [(await first.until(welcomed))[0], (await second.until(welcomed))[0]];
    assert.equal(first.ws.protocol, 'jwt-auth');
    const full = welcomes.find((f) => f?.type === 'system_message');
    const short = welcomes.find((f) => f?.type === 'connection_established');
    assert.ok(full && short, JSON.stringify(welcomes));
    const data = full.data as Json;
    assert.equal(data.event, 'connection_established');
    assert.equal(data.user_id, 'e2e-alice');
    assert.equal(data.connection_ready, true);
    assert.equal(typeof data.connection_id, 'string');
    assert.equal(short.user_id, 'e2e-alic...');
    first.ws.close();
    second.ws.close();
  });

  for (const [name, protocols, code] of [
    ['no token', ['jwt-auth'], 'NO_TOKEN'],
    [
      'a bad token',
      ['jwt-auth', `jwt.${Buffer.from('a.b.c-not-signed').toString('base64url')}`],
      'AUTH_FAILED',
    ],
  ] as const) {
    it(`refuses ${name} after accepting: error_message ${code}, then 1008`, async () => {
      const socket = open(platform.urls.ws, [...protocols]);
      const closed = await socket.closed;
      assert.deepEqual(closed, { code: 1008, reason: 'SSOT Auth failed' });
      assert.equal(socket.frames[0]?.type, 'error_message');
      assert.equal(socket.frames[0]?.error_code, code);
      assert.equal(typeof socket.frames[0]?.error_message, 'string');
    });
  }

  it('runs start_agent and user_message, with both event paths, repeats and noise', async () => {
    const { socket, threadId } = await oneRun(platform);
    await socket.until((f) => completions(f) === 2);
    socket.ws.send(
      JSON.stringify({
        type: 'user_message',
        payload: { content: 'And then?', references: [], thread_id: threadId },
      }),
    );
    const frames = await socket.until((f) => completions(f) === 4);
    socket.ws.close();
    const events = frames.filter((f) => AGENT_EVENTS.includes(f.type));
    const emitter = events.filter((f) => f.data !== undefined);
    const bridge = events.filter((f) => f.payload !== undefined);
    assert.ok(emitter.length > 0 && bridge.length > 0, 'both paths');
    for (const f of emitter) {
      const data = f.data as Json;
      assert.equal(data.thread_id, threadId);
      assert.equal(data.user_id, 'e2e-alice');
      assert.match(String(f.timestamp), /^\d{4}-\d\d-\d\dT[\d:.]+$/, 'naive ISO');
      assert.equal(f.critical, true);
      assert.ok('attempt' in f);
    }
    for (const f of bridge) {
      assert.equal('thread_id' in f || 'thread_id' in (f.payload as Json), false);
      assert.equal(typeof f.run_id, 'string');
      assert.equal(typeof f.agent_name, 'string');
      assert.match(String(f.timestamp), /\+00:00$/);
    }
    const tools = events.filter((f) => f.type === 'tool_executing');
    assert.ok(tools.every((f) => typeof ((f.data ?? f.payload) as Json).tool_name === 'string'));
    const completed = events.find((f) => f.type === 'agent_completed') as Frame;
    const body = (completed.data ?? completed.payload) as Json;
    assert.equal(typeof body.result, 'object');
    assert.match(String((body.result as Json).response), /Hello there/);
    assert.equal(body.status, 'completed');
    assert.equal(typeof body.execution_time_ms, 'number');
    assert.equal(typeof body.message, 'string');
    const strip = ({ timestamp: _t, attempt: _a, ...rest }: Frame) => JSON.stringify(rest);
    const repeats = events.filter((f, i) => i > 0 && strip(f) === strip(events[i - 1] as Frame));
    assert.ok(repeats.length >= 2, 'some events are delivered twice');
    const runs = new Set(events.map(runOf));
    assert.equal(runs.size, 2, 'two runs');
    const noise = new Set(frames.map((f) => f.type));
    for (const type of ['heartbeat', 'ping', 'progress_update', 'partial_result'])
      assert.ok(noise.has(type), type);
  });

  it('serves its pages with netra’s test ids, the callback storing jwt_token and going to /, which sends on to /chat', async () => {
    const choice = chooseBrowser(chromium.executablePath());
    const browser = await chromium.launch({
      ...(choice?.executablePath ? { executablePath: choice.executablePath } : {}),
      args: CHROMIUM_ARGS,
    });
    try {
      const page = await browser.newPage();
      await page.goto(`${platform.urls.frontend}/login`);
      await page.getByRole('button', { name: 'Access Beta' }).waitFor();
      assert.equal(await page.locator('input[type=password]').count(), 0);
      const token = await tokenFor(platform);
      await page.goto(`${platform.urls.frontend}/auth/callback?token=${token}`);
      await page.waitForURL(`${platform.urls.frontend}/chat`);
      assert.equal(await page.evaluate(() => localStorage.getItem('jwt_token')), token);
      await page.getByTestId('chat-container').waitFor();
      assert.equal(await page.getByTestId('user-email').textContent(), 'alice@example.test');
      for (const id of ['current-user', 'agent-event', 'agent-response'])
        assert.equal(await page.getByTestId(id).count(), 0, id);
      const send = page.getByTestId('send-button');
      await page.waitForFunction(
        () => !document.querySelector<HTMLButtonElement>('[data-testid=send-button]')?.disabled,
      );
      await page.getByTestId('message-input').fill('What is new?');
      await send.click();
      await page.getByTestId('ai-message').waitFor();
      assert.match(String(await page.getByTestId('ai-message').textContent()), /What is new\?/);
      assert.equal(await page.getByTestId('ai-message').count(), 1, 'a repeated agent_completed shows once');
      const types = await page
        .getByTestId('agent-activity-item')
        .evaluateAll((els) => els.map((el) => el.getAttribute('data-event-type')));
      assert.deepEqual(
        [...new Set(types)],
        AGENT_EVENTS.filter((t) => types.includes(t)),
      );
      assert.ok(types.includes('agent_completed'));
    } finally {
      await browser.close();
    }
  });
});
