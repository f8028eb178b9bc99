/**
 * Smoke check of the reference platform against the contract and every fault, without a
 * browser: `npm run platform:smoke` (node:test). It starts the platform as the self-tests do
 * (test/support/platform.ts: a process on free ports) and speaks to it with a bare client
 * (test/support/smoke-client.ts), never with the harness. The faults: platform/smoke-faults.ts.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createRemoteJWKSet, decodeProtectedHeader, errors, jwtVerify } from 'jose';
import { PLATFORM_DEFAULTS, type RunningPlatform } from '../test/support/platform.ts';
import {
  agentFrames,
  bypass,
  connect,
  field,
  getJson,
  isGoldenOrder,
  need,
  openAuthed,
  postJson,
  runOnce,
  send,
  startSmokePlatform as start,
  testAuth,
  typesOf,
} from '../test/support/smoke-client.ts';

const { bypassKey, password } = PLATFORM_DEFAULTS;
const jwks = (auth: string) => createRemoteJWKSet(new URL(`${auth}/.well-known/jwks.json`));

describe('the healthy platform', () => {
  let p: RunningPlatform;
  let auth: string;
  let api: string;
  let wsUrl: string;
  let fe: string;
  before(async () => {
    p = await start();
    ({ auth, api, ws: wsUrl, frontend: fe } = p.urls);
  });
  after(() => p.stop());

  it('ready line has the four URLs', () => {
    assert.ok(auth.startsWith('http://127.0.0.1:') && api.startsWith('http://127.0.0.1:'), 'http urls');
    assert.equal(wsUrl, `${api.replace('http://', 'ws://')}/ws`);
    assert.ok(fe.startsWith('http://127.0.0.1:'), 'frontend url');
  });

  it('health endpoints', async () => {
    const a = await getJson(`${auth}/health`);
    assert.equal(a.status, 200);
    assert.deepEqual(
      ['status', 'database_status', 'environment'].map((key) => field(a.body, key)),
      ['healthy', 'connected', 'local'],
    );
    for (const path of ['/health', '/api/health']) {
      const r = await getJson(api + path);
      assert.ok(r.status === 200 && field(r.body, 'service') === 'agent-backend', path);
    }
    const wh = await getJson(`${api}/ws/health`);
    assert.ok(wh.status === 200 && field(wh.body, 'status') === 'healthy', 'ws health');
    assert.equal(field((await getJson(`${api}/ws/config`)).body, 'subprotocol'), 'jwt-auth');
    const fh = await getJson(`${fe}/health`);
    assert.ok(fh.status === 200 && field(fh.body, 'service') === 'frontend', 'frontend health');
  });

  it('test-auth: 401 without or with a wrong key, 404 for an unknown user', async () => {
    const url = `${auth}/auth/e2e/test-auth`;
    const none = await postJson(url, { email: 'alice@example.test' });
    const wrong = await postJson(url, { email: 'alice@example.test' }, { 'x-e2e-bypass-key': 'wrong' });
    const unknown = await postJson(url, { email: 'nobody@example.test' }, bypass);
    assert.deepEqual([none.status, wrong.status, unknown.status], [401, 401, 404]);
  });

  it('test-auth token verifies against the JWKS (two keys, signed by the second)', async () => {
    const tokens = await testAuth(auth);
    assert.ok(tokens.user.email === 'alice@example.test' && tokens.user.id.startsWith('usr_'), 'user');
    const keys = (await getJson(`${auth}/.well-known/jwks.json`)).body as { keys: { kid: string }[] };
    assert.ok(keys.keys.length === 2 && keys.keys[0]?.kid !== keys.keys[1]?.kid, 'two distinct kids');
    assert.equal(
      decodeProtectedHeader(tokens.access_token).kid,
      keys.keys[1]?.kid,
      'signed with the current key',
    );
    const { payload } = await jwtVerify(tokens.access_token, jwks(auth), {
      issuer: 'golden-path-reference-auth',
      audience: 'golden-path',
    });
    assert.ok(payload.sub === tokens.user.id && payload.email === 'alice@example.test', 'claims');
    assert.deepEqual(
      [typeof payload.jti, typeof payload.iat, typeof payload.exp],
      ['string', 'number', 'number'],
    );
  });

  it('login, bad password, refresh, reused refresh token', async () => {
    const ok = await postJson(`${auth}/auth/login`, { email: 'bob@example.test', password });
    assert.ok(ok.status === 200 && typeof ok.body.access_token === 'string', `login ${ok.status}`);
    const bad = await postJson(`${auth}/auth/login`, { email: 'bob@example.test', password: 'nope' });
    assert.ok(
      bad.status === 401 && bad.body.detail === 'Invalid email or password',
      `bad login ${bad.status}`,
    );
    const refreshed = await postJson(`${auth}/auth/refresh`, { refresh_token: ok.body.refresh_token });
    assert.ok(refreshed.status === 200 && refreshed.body.access_token !== ok.body.access_token, 'refresh');
    const reused = await postJson(`${auth}/auth/refresh`, { refresh_token: ok.body.refresh_token });
    assert.equal(reused.status, 401, 'reused refresh');
  });

  it('socket: 401 at the upgrade without a token, with an expired one, with garbage', async () => {
    assert.equal((await connect(wsUrl)).status, 401, 'no token');
    const expired = await testAuth(auth, 'alice@example.test', { expires_in: -60 });
    await assert.rejects(jwtVerify(expired.access_token, jwks(auth)), errors.JWTExpired);
    const refused = await connect(wsUrl, { token: expired.access_token });
    assert.ok(
      refused.status === 401 && refused.body?.includes('token expired'),
      `expired: ${refused.status}`,
    );
    assert.equal((await connect(wsUrl, { token: 'not-a-jwt' })).status, 401, 'garbage');
  });

  it('socket: golden path run, five events in order, heartbeats and a binary frame', async () => {
    const { socket, tokens } = await openAuthed(p);
    assert.equal(socket.ws.protocol, 'jwt-auth');
    const established = socket.frames.find((f) => f.type === 'connection_established');
    assert.ok(established?.user_id === tokens.user.id && typeof established.connection_id === 'string');
    const frames = await runOnce(socket, 'What is the golden path?');
    assert.ok(isGoldenOrder(typesOf(frames)), `order ${typesOf(frames).join(',')}`);
    const agent = agentFrames(frames);
    assert.equal(new Set(agent.map((f) => f.run_id)).size, 1, 'one run id');
    assert.ok(agent.every((f) => f.thread_id === 'thread-smoke' && f.payload?.user_id === tokens.user.id));
    assert.ok(String(agent.at(-1)?.payload?.result).includes('What is the golden path?'), 'answer quotes it');
    assert.ok(
      frames.some((f) => f.type === 'heartbeat'),
      'heartbeat seen',
    );
    assert.ok(socket.binaryFrames >= 1, 'binary frame seen');
    const formats = new Set(agent.map((f) => typeof f.timestamp));
    assert.ok(formats.has('string') && formats.has('number'), 'timestamp formats vary');
    socket.ws.close();
  });

  it('socket: Authorization header, two overlapping runs on one socket', async () => {
    const tokens = await testAuth(auth, 'carol@example.test');
    const socket = need((await connect(wsUrl, { bearer: tokens.access_token })).socket, 'bearer socket');
    await socket.until(
      () => socket.frames.some((f) => f.type === 'connection_established'),
      3000,
      'established',
    );
    send(socket, 'first');
    send(socket, 'second');
    const done = () => socket.frames.filter((f) => f.type === 'agent_completed').length === 2;
    await socket.until(done, 5000, 'two runs');
    const runs = new Set(agentFrames(socket.frames).map((f) => f.run_id));
    assert.equal(runs.size, 2);
    for (const runId of runs)
      assert.ok(isGoldenOrder(typesOf(socket.frames.filter((f) => f.run_id === runId))));
    socket.ws.close();
  });

  it('reference-only: /__platform/runs and stats', async () => {
    const runs = (await getJson(`${api}/__platform/runs`)).body as { events: { sent_at_ms: number }[] }[];
    assert.ok(runs.length >= 3, `runs ${runs.length}`);
    assert.ok(
      runs.every((r) => r.events.every((e) => typeof e.sent_at_ms === 'number')),
      'sent_at_ms',
    );
    const stats = (await getJson(`${api}/__platform/stats`)).body as Record<string, number>;
    assert.ok(stats.runs_started === 3 && stats.runs_completed === 3, JSON.stringify(stats));
    assert.ok((stats.refused ?? 0) >= 3, 'refusals counted');
    const authStats = (await getJson(`${auth}/__platform/stats`)).body as Record<string, number>;
    assert.ok((authStats.test_auth ?? 0) >= 5 && authStats.login === 2, JSON.stringify(authStats));
  });

  it('reference-only: drop-sockets terminates open sockets (1006)', async () => {
    const { socket } = await openAuthed(p, 'dave@example.test');
    const dropped = await postJson(`${api}/__platform/drop-sockets`, {});
    assert.ok(dropped.status === 200 && (dropped.body.dropped as number) >= 1, 'dropped count');
    assert.equal((await socket.closed).code, 1006);
  });

  it('presence socket reports the online count', async () => {
    const socket = need((await connect(`${wsUrl.replace(/\/ws$/, '')}/presence`)).socket, 'presence socket');
    await socket.until(
      () => socket.frames.some((f) => f.type === 'presence' && typeof f.online === 'number'),
      2000,
      'presence',
    );
    socket.ws.close();
  });

  it('frontend pages and config', async () => {
    const login = await (await fetch(`${fe}/login`)).text();
    assert.ok(
      login.includes('<label for="email">Email</label>') && login.includes('>Sign in</button>'),
      'login',
    );
    const chat = await (await fetch(`${fe}/chat`)).text();
    assert.ok(
      chat.includes('data-testid="current-user"') && chat.includes('<label for="message">Message</label>'),
    );
    const callback = await fetch(`${fe}/auth/callback?token=x`);
    assert.ok(
      callback.status === 200 && callback.headers.get('referrer-policy') === 'no-referrer',
      'callback',
    );
    const config = await (await fetch(`${fe}/config.js`)).text();
    assert.ok(config.includes(wsUrl) && config.includes(auth), 'config carries the URLs');
  });

  it('CORS preflight on /auth/login', async () => {
    const res = await fetch(`${auth}/auth/login`, {
      method: 'OPTIONS',
      headers: {
        origin: fe,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type',
      },
    });
    assert.ok(res.status === 204 && res.headers.get('access-control-allow-origin') === '*', `${res.status}`);
  });

  it('no secret in the logs, clean exit 0 on SIGTERM', async () => {
    assert.equal(await p.stop(), 0);
    const log = p.logs();
    assert.ok(
      !log.includes(bypassKey) && !log.includes(password) && !log.includes('eyJ'),
      'a secret was logged',
    );
  });
});

// After the healthy checks, not before them as a static import would put it.
await import('./smoke-faults.ts');
