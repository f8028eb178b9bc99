/**
 * Smoke check of the reference platform: starts it as a child process (ports 0) the way the
 * tests do, then exercises the contract and every fault. `node --import tsx platform/smoke.ts`.
 * Prints one line per check and ends with "N passed, N failed"; exits 1 on any failure.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { createRemoteJWKSet, decodeProtectedHeader, errors, jwtVerify } from 'jose';
import WebSocket from 'ws';

const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));
const BYPASS_KEY = 'local-bypass-key';
const PASSWORD = 'correct-horse-battery';
const AGENT_EVENTS = [
  'agent_started',
  'agent_thinking',
  'tool_executing',
  'tool_completed',
  'agent_completed',
];

interface Urls {
  auth?: string;
  api?: string;
  ws?: string;
  frontend?: string;
}

interface Platform {
  urls: Urls;
  child: ChildProcess;
  stderr: () => string;
  stop(): Promise<number | null>;
}

type Frame = Record<string, unknown> & { type?: string; run_id?: string; payload?: Record<string, unknown> };

let passed = 0;
let failed = 0;

function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

async function check(name: string, body: () => Promise<void>): Promise<void> {
  try {
    await body();
    passed += 1;
    process.stdout.write(`ok   ${name}\n`);
  } catch (err) {
    failed += 1;
    process.stdout.write(`FAIL ${name}: ${err instanceof Error ? err.message : String(err)}\n`);
  }
}

function need<T>(value: T | undefined, what: string): T {
  assert(value !== undefined, `${what} missing`);
  return value;
}

function startChild(extraEnv: Record<string, string>): {
  child: ChildProcess;
  out: () => string;
  err: () => string;
} {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
    env: {
      ...process.env,
      PLATFORM_AUTH_PORT: '0',
      PLATFORM_API_PORT: '0',
      PLATFORM_FRONTEND_PORT: '0',
      PLATFORM_RUN_MS: '300',
      PLATFORM_FAULT: '',
      ...extraEnv,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    err += d.toString();
  });
  return { child, out: () => out, err: () => err };
}

async function startPlatform(extraEnv: Record<string, string> = {}): Promise<Platform> {
  const { child, out, err } = startChild(extraEnv);
  const deadline = Date.now() + 20_000;
  while (!out().includes('\n')) {
    if (child.exitCode !== null) throw new Error(`platform exited ${child.exitCode}: ${err()}`);
    if (Date.now() > deadline) throw new Error(`no ready line: ${err()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const line = out().split('\n')[0] ?? '';
  assert(line.startsWith('PLATFORM_READY '), `unexpected first stdout line: ${line}`);
  const urls = JSON.parse(line.slice('PLATFORM_READY '.length)) as Urls;
  return {
    urls,
    child,
    stderr: err,
    async stop() {
      if (child.exitCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const [code] = (await once(child, 'exit')) as [number | null];
      return code;
    },
  };
}

async function withPlatform(
  env: Record<string, string>,
  body: (p: Platform) => Promise<void>,
): Promise<void> {
  const platform = await startPlatform(env);
  try {
    await body(platform);
  } finally {
    await platform.stop();
  }
}

async function getJson(url: string): Promise<{ status: number; body: unknown }> {
  const res = await fetch(url);
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // plain text
  }
  return { status: res.status, body };
}

async function postJson(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function testAuth(authUrl: string, email = 'alice@example.test', extra: Record<string, unknown> = {}) {
  const res = await postJson(
    `${authUrl}/auth/e2e/test-auth`,
    { email, ...extra },
    { 'x-e2e-bypass-key': BYPASS_KEY },
  );
  assert(res.status === 200, `test-auth answered ${res.status}`);
  return res.body as { access_token: string; refresh_token: string; user: { id: string; email: string } };
}

interface OpenSocket {
  ws: WebSocket;
  frames: Frame[];
  binaryFrames: number;
  closed: Promise<{ code: number; reason: string }>;
}

/** Resolves once the upgrade is answered: an open socket, or the HTTP status it was refused with. */
function connect(
  url: string,
  options: { token?: string; bearer?: string; timeoutMs?: number } = {},
): Promise<{ socket?: OpenSocket; status?: number; body?: string; timedOut?: boolean; failed?: boolean }> {
  const protocols = options.token !== undefined ? ['jwt-auth', `jwt.${options.token}`] : undefined;
  const headers = options.bearer !== undefined ? { authorization: `Bearer ${options.bearer}` } : undefined;
  const ws = new WebSocket(url, protocols, { headers });
  const socket: OpenSocket = {
    ws,
    frames: [],
    binaryFrames: 0,
    closed: new Promise((resolve) =>
      ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    ),
  };
  ws.on('message', (data, isBinary) => {
    if (isBinary) socket.binaryFrames += 1;
    else socket.frames.push(JSON.parse(data.toString()) as Frame);
  });
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      ws.terminate();
      resolve({ timedOut: true });
    }, options.timeoutMs ?? 5000);
    ws.on('open', () => {
      clearTimeout(timer);
      resolve({ socket });
    });
    ws.on('unexpected-response', (_req, res) => {
      clearTimeout(timer);
      let body = '';
      res.on('data', (d: Buffer) => {
        body += d.toString();
      });
      res.on('end', () => resolve({ status: res.statusCode, body }));
    });
    ws.on('error', () => {
      clearTimeout(timer);
      // Resolves only if nothing else did first (a refusal resolves on the response body).
      setTimeout(() => resolve({ failed: true }), 100);
    });
  });
}

async function waitFor(predicate: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function agentFrames(frames: Frame[]): Frame[] {
  return frames.filter((f) => typeof f.type === 'string' && AGENT_EVENTS.includes(f.type));
}

async function openAuthed(p: Platform, email = 'alice@example.test') {
  const tokens = await testAuth(need(p.urls.auth, 'auth url'), email);
  const result = await connect(need(p.urls.ws, 'ws url'), { token: tokens.access_token });
  const socket = need(result.socket, `socket (refused ${result.status})`);
  await waitFor(
    () => socket.frames.some((f) => f.type === 'connection_established'),
    3000,
    'connection_established',
  );
  return { socket, tokens };
}

function send(socket: OpenSocket, content: string, threadId = 'thread-smoke'): void {
  socket.ws.send(JSON.stringify({ type: 'user_message', payload: { content, thread_id: threadId } }));
}

/** Sends a message and waits until `until` holds for the socket (default: an agent_completed arrived). */
async function runOnce(socket: OpenSocket, content: string, until?: () => boolean, timeoutMs = 5000) {
  const before = socket.frames.length;
  send(socket, content);
  await waitFor(
    until ?? (() => socket.frames.slice(before).some((f) => f.type === 'agent_completed')),
    timeoutMs,
    'run',
  );
  return socket.frames.slice(before);
}

function typesOf(frames: Frame[]): string[] {
  return agentFrames(frames).map((f) => f.type as string);
}

function isGoldenOrder(types: string[]): boolean {
  return /^S(T)+(EC)+D$/.test(
    types
      .map(
        (t) =>
          ({ agent_started: 'S', agent_thinking: 'T', tool_executing: 'E', tool_completed: 'C' })[t] ?? 'D',
      )
      .join(''),
  );
}

async function healthyPlatformChecks(): Promise<void> {
  const p = await startPlatform();
  const auth = need(p.urls.auth, 'auth');
  const api = need(p.urls.api, 'api');
  const wsUrl = need(p.urls.ws, 'ws');
  const fe = need(p.urls.frontend, 'frontend');

  await check('ready line has the four URLs', async () => {
    assert(auth.startsWith('http://127.0.0.1:') && api.startsWith('http://127.0.0.1:'), 'http urls');
    assert(wsUrl === `${api.replace('http://', 'ws://')}/ws`, `ws url ${wsUrl}`);
    assert(fe.startsWith('http://127.0.0.1:'), 'frontend url');
  });

  await check('health endpoints', async () => {
    const a = await getJson(`${auth}/health`);
    assert(a.status === 200, 'auth health status');
    const ab = a.body as Record<string, unknown>;
    assert(
      ab.status === 'healthy' && ab.database_status === 'connected' && ab.environment === 'local',
      'auth body',
    );
    for (const path of ['/health', '/api/health']) {
      const r = await getJson(api + path);
      assert(r.status === 200 && (r.body as Record<string, unknown>).service === 'agent-backend', path);
    }
    const wh = await getJson(`${api}/ws/health`);
    assert(wh.status === 200 && (wh.body as Record<string, unknown>).status === 'healthy', 'ws health');
    const wc = await getJson(`${api}/ws/config`);
    assert((wc.body as Record<string, unknown>).subprotocol === 'jwt-auth', 'ws config');
    const fh = await getJson(`${fe}/health`);
    assert(
      fh.status === 200 && (fh.body as Record<string, unknown>).service === 'frontend',
      'frontend health',
    );
  });

  await check('test-auth: 401 without or with a wrong key, 404 for an unknown user', async () => {
    const none = await postJson(`${auth}/auth/e2e/test-auth`, { email: 'alice@example.test' });
    const wrong = await postJson(
      `${auth}/auth/e2e/test-auth`,
      { email: 'alice@example.test' },
      { 'x-e2e-bypass-key': 'wrong' },
    );
    const unknown = await postJson(
      `${auth}/auth/e2e/test-auth`,
      { email: 'nobody@example.test' },
      { 'x-e2e-bypass-key': BYPASS_KEY },
    );
    assert(none.status === 401 && wrong.status === 401, `no key ${none.status}, wrong key ${wrong.status}`);
    assert(unknown.status === 404, `unknown user ${unknown.status}`);
  });

  await check('test-auth token verifies against the JWKS (two keys, signed by the second)', async () => {
    const tokens = await testAuth(auth);
    assert(tokens.user.email === 'alice@example.test' && tokens.user.id.startsWith('usr_'), 'user');
    const jwks = (await getJson(`${auth}/.well-known/jwks.json`)).body as {
      keys: { kid: string; use: string }[];
    };
    assert(jwks.keys.length === 2 && jwks.keys[0]?.kid !== jwks.keys[1]?.kid, 'two distinct kids');
    assert(
      decodeProtectedHeader(tokens.access_token).kid === jwks.keys[1]?.kid,
      'signed with the current key',
    );
    const { payload } = await jwtVerify(
      tokens.access_token,
      createRemoteJWKSet(new URL(`${auth}/.well-known/jwks.json`)),
      {
        issuer: 'golden-path-reference-auth',
        audience: 'golden-path',
      },
    );
    assert(payload.sub === tokens.user.id && payload.email === 'alice@example.test', 'claims');
    assert(
      typeof payload.jti === 'string' && typeof payload.iat === 'number' && typeof payload.exp === 'number',
      'jti/iat/exp',
    );
  });

  await check('login, bad password, refresh, reused refresh token', async () => {
    const ok = await postJson(`${auth}/auth/login`, { email: 'bob@example.test', password: PASSWORD });
    assert(ok.status === 200 && typeof ok.body.access_token === 'string', `login ${ok.status}`);
    const bad = await postJson(`${auth}/auth/login`, { email: 'bob@example.test', password: 'nope' });
    assert(bad.status === 401 && bad.body.detail === 'Invalid email or password', `bad login ${bad.status}`);
    const refreshed = await postJson(`${auth}/auth/refresh`, { refresh_token: ok.body.refresh_token });
    assert(refreshed.status === 200 && refreshed.body.access_token !== ok.body.access_token, 'refresh');
    const reused = await postJson(`${auth}/auth/refresh`, { refresh_token: ok.body.refresh_token });
    assert(reused.status === 401, `reused refresh ${reused.status}`);
  });

  await check('socket: 401 at the upgrade without a token, with an expired one, with garbage', async () => {
    const none = await connect(wsUrl);
    assert(none.status === 401, `no token: ${none.status}`);
    const expired = await testAuth(auth, 'alice@example.test', { expires_in: -60 });
    await jwtVerify(expired.access_token, createRemoteJWKSet(new URL(`${auth}/.well-known/jwks.json`))).then(
      () => assert(false, 'expired token verified'),
      (err: unknown) => assert(err instanceof errors.JWTExpired, 'expected JWTExpired'),
    );
    const refused = await connect(wsUrl, { token: expired.access_token });
    assert(
      refused.status === 401 && refused.body?.includes('token expired'),
      `expired: ${refused.status} ${refused.body}`,
    );
    const garbage = await connect(wsUrl, { token: 'not-a-jwt' });
    assert(garbage.status === 401, `garbage: ${garbage.status}`);
  });

  await check('socket: golden path run, five events in order, heartbeats and a binary frame', async () => {
    const { socket, tokens } = await openAuthed(p);
    assert(socket.ws.protocol === 'jwt-auth', `selected protocol ${socket.ws.protocol}`);
    const established = socket.frames.find((f) => f.type === 'connection_established');
    assert(
      established?.user_id === tokens.user.id && typeof established.connection_id === 'string',
      'established',
    );
    const frames = await runOnce(socket, 'What is the golden path?');
    const types = typesOf(frames);
    assert(isGoldenOrder(types), `order ${types.join(',')}`);
    const agent = agentFrames(frames);
    assert(new Set(agent.map((f) => f.run_id)).size === 1, 'one run id');
    assert(
      agent.every((f) => f.thread_id === 'thread-smoke' && f.payload?.user_id === tokens.user.id),
      'thread and user',
    );
    const done = agent.at(-1);
    assert(String(done?.payload?.result).includes('What is the golden path?'), 'answer quotes the content');
    assert(
      frames.some((f) => f.type === 'heartbeat'),
      'heartbeat seen',
    );
    assert(socket.binaryFrames >= 1, 'binary frame seen');
    const formats = new Set(agent.map((f) => typeof f.timestamp));
    assert(formats.has('string') && formats.has('number'), 'timestamp formats vary');
    socket.ws.close();
  });

  await check('socket: Authorization header, two overlapping runs on one socket', async () => {
    const tokens = await testAuth(auth, 'carol@example.test');
    const result = await connect(wsUrl, { bearer: tokens.access_token });
    const socket = need(result.socket, `bearer refused ${result.status}`);
    await waitFor(() => socket.frames.some((f) => f.type === 'connection_established'), 3000, 'established');
    send(socket, 'first');
    send(socket, 'second');
    await waitFor(
      () => socket.frames.filter((f) => f.type === 'agent_completed').length === 2,
      5000,
      'two runs',
    );
    const runs = new Set(agentFrames(socket.frames).map((f) => f.run_id));
    assert(runs.size === 2, `run ids ${runs.size}`);
    for (const runId of runs) {
      assert(isGoldenOrder(typesOf(socket.frames.filter((f) => f.run_id === runId))), `order of ${runId}`);
    }
    socket.ws.close();
  });

  await check('reference-only: /__platform/runs and stats', async () => {
    const runs = (await getJson(`${api}/__platform/runs`)).body as {
      run_id: string;
      events: { type: string; sent_at_ms: number }[];
    }[];
    assert(runs.length >= 3, `runs ${runs.length}`);
    assert(
      runs.every((r) => r.events.every((e) => typeof e.sent_at_ms === 'number')),
      'sent_at_ms',
    );
    const stats = (await getJson(`${api}/__platform/stats`)).body as Record<string, number>;
    assert(stats.runs_started === 3 && stats.runs_completed === 3, `runs stats ${JSON.stringify(stats)}`);
    assert((stats.refused ?? 0) >= 3, 'refusals counted');
    const authStats = (await getJson(`${auth}/__platform/stats`)).body as Record<string, unknown>;
    assert(
      (authStats.test_auth as number) >= 5 && (authStats.login as number) === 2,
      JSON.stringify(authStats),
    );
  });

  await check('reference-only: drop-sockets terminates open sockets (1006)', async () => {
    const { socket } = await openAuthed(p, 'dave@example.test');
    const dropped = await postJson(`${api}/__platform/drop-sockets`, {});
    assert(dropped.status === 200 && (dropped.body.dropped as number) >= 1, 'dropped count');
    const closed = await socket.closed;
    assert(closed.code === 1006, `close code ${closed.code}`);
  });

  await check('presence socket reports the online count', async () => {
    const result = await connect(`${wsUrl.replace(/\/ws$/, '')}/presence`);
    const socket = need(result.socket, 'presence socket');
    await waitFor(
      () => socket.frames.some((f) => f.type === 'presence' && typeof f.online === 'number'),
      2000,
      'presence',
    );
    socket.ws.close();
  });

  await check('frontend pages and config', async () => {
    const login = await (await fetch(`${fe}/login`)).text();
    assert(
      login.includes('<label for="email">Email</label>') && login.includes('>Sign in</button>'),
      'login form',
    );
    const chat = await (await fetch(`${fe}/chat`)).text();
    assert(
      chat.includes('data-testid="current-user"') && chat.includes('<label for="message">Message</label>'),
      'chat',
    );
    const callback = await fetch(`${fe}/auth/callback?token=x`);
    assert(callback.status === 200 && callback.headers.get('referrer-policy') === 'no-referrer', 'callback');
    const config = await (await fetch(`${fe}/config.js`)).text();
    assert(config.includes(wsUrl) && config.includes(auth), 'config carries the URLs');
  });

  await check('CORS preflight on /auth/login', async () => {
    const res = await fetch(`${auth}/auth/login`, {
      method: 'OPTIONS',
      headers: {
        origin: fe,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type',
      },
    });
    assert(
      res.status === 204 && res.headers.get('access-control-allow-origin') === '*',
      `preflight ${res.status}`,
    );
  });

  await check('no secret in the logs, clean exit 0 on SIGTERM', async () => {
    const code = await p.stop();
    const log = p.stderr();
    assert(code === 0, `exit code ${code}`);
    assert(
      !log.includes(BYPASS_KEY) && !log.includes(PASSWORD) && !log.includes('eyJ'),
      'a secret was logged',
    );
  });
}

async function faultChecks(): Promise<void> {
  await check('unknown fault exits 2 listing the valid names', async () => {
    const { child, err } = startChild({ PLATFORM_FAULT: 'no-such-fault' });
    const [code] = (await once(child, 'exit')) as [number | null];
    assert(code === 2 && err().includes('ws-upgrade-403'), `exit ${code}: ${err()}`);
  });

  await check('production: test-auth 403 before the key check', async () => {
    await withPlatform({ PLATFORM_ENVIRONMENT: 'production', PLATFORM_SERVICES: 'auth' }, async (p) => {
      const res = await postJson(`${p.urls.auth}/auth/e2e/test-auth`, { email: 'alice@example.test' });
      assert(res.status === 403, `status ${res.status}`);
      assert(p.urls.api === undefined && p.urls.frontend === undefined, 'only auth in the ready line');
    });
  });

  await check(
    'auth faults: bypass-key-rejected, user-missing, login-rejects-password, auth-db-disconnected',
    async () => {
      const cases: [string, (auth: string) => Promise<void>][] = [
        [
          'bypass-key-rejected',
          async (auth) => {
            const r = await postJson(
              `${auth}/auth/e2e/test-auth`,
              { email: 'alice@example.test' },
              { 'x-e2e-bypass-key': BYPASS_KEY },
            );
            assert(r.status === 401, `bypass-key-rejected ${r.status}`);
          },
        ],
        [
          'user-missing',
          async (auth) => {
            const r = await postJson(
              `${auth}/auth/e2e/test-auth`,
              { email: 'alice@example.test' },
              { 'x-e2e-bypass-key': BYPASS_KEY },
            );
            assert(r.status === 404, `user-missing ${r.status}`);
          },
        ],
        [
          'login-rejects-password',
          async (auth) => {
            const r = await postJson(`${auth}/auth/login`, {
              email: 'alice@example.test',
              password: PASSWORD,
            });
            assert(r.status === 401, `login-rejects-password ${r.status}`);
          },
        ],
        [
          'auth-db-disconnected',
          async (auth) => {
            const r = await getJson(`${auth}/health`);
            assert((r.body as Record<string, unknown>).database_status === 'disconnected', 'database_status');
          },
        ],
      ];
      for (const [fault, body] of cases) {
        await withPlatform({ PLATFORM_FAULT: fault, PLATFORM_SERVICES: 'auth' }, (p) =>
          body(need(p.urls.auth, 'auth')),
        );
      }
    },
  );

  await check(
    'split processes + foreign-signing-key: backend refuses 401, jose rejects the signature',
    async () => {
      await withPlatform({ PLATFORM_FAULT: 'foreign-signing-key', PLATFORM_SERVICES: 'auth' }, async (a) => {
        const auth = need(a.urls.auth, 'auth');
        await withPlatform({ PLATFORM_SERVICES: 'backend', PLATFORM_AUTH_URL: auth }, async (b) => {
          assert(b.urls.auth === undefined && b.urls.ws !== undefined, 'backend-only ready line');
          const tokens = await testAuth(auth);
          const r = await connect(need(b.urls.ws, 'ws'), { token: tokens.access_token });
          assert(r.status === 401 && r.body?.includes('signature'), `upgrade ${r.status} ${r.body}`);
        });
      });
    },
  );

  await check('RS256 keys work end to end', async () => {
    await withPlatform({ PLATFORM_JWT_ALG: 'RS256', PLATFORM_SERVICES: 'auth,backend' }, async (p) => {
      const { socket, tokens } = await openAuthed(p);
      assert(decodeProtectedHeader(tokens.access_token).alg === 'RS256', 'alg');
      socket.ws.close();
    });
  });

  await check('backend-health-500 keeps /ws/health 200', async () => {
    await withPlatform({ PLATFORM_FAULT: 'backend-health-500', PLATFORM_SERVICES: 'backend' }, async (p) => {
      const h = await getJson(`${p.urls.api}/health`);
      const ws = await getJson(`${p.urls.api}/ws/health`);
      assert(
        h.status === 500 && h.body === 'Internal Server Error' && ws.status === 200,
        `${h.status} ${ws.status}`,
      );
    });
  });

  const socketEnv = { PLATFORM_SERVICES: 'auth,backend' };

  await check('ws-upgrade-403', async () => {
    await withPlatform({ ...socketEnv, PLATFORM_FAULT: 'ws-upgrade-403' }, async (p) => {
      const tokens = await testAuth(need(p.urls.auth, 'auth'));
      const r = await connect(need(p.urls.ws, 'ws'), { token: tokens.access_token });
      assert(r.status === 403, `status ${r.status}`);
    });
  });

  for (const [fault, code, reason] of [
    ['ws-close-1008', 1008, 'auth failed: token expired'],
    ['ws-close-1011', 1011, 'auth failed: auth service unavailable'],
  ] as const) {
    await check(fault, async () => {
      await withPlatform({ ...socketEnv, PLATFORM_FAULT: fault }, async (p) => {
        const tokens = await testAuth(need(p.urls.auth, 'auth'));
        const r = await connect(need(p.urls.ws, 'ws'), { token: tokens.access_token });
        const socket = need(r.socket, 'accepted');
        const closed = await socket.closed;
        assert(closed.code === code && closed.reason === reason, `${closed.code} ${closed.reason}`);
        assert(!socket.frames.some((f) => f.type === 'connection_established'), 'no connection_established');
      });
    });
  }

  await check('ws-handshake-hang: no answer, still a clean shutdown', async () => {
    const p = await startPlatform({ ...socketEnv, PLATFORM_FAULT: 'ws-handshake-hang' });
    const tokens = await testAuth(need(p.urls.auth, 'auth'));
    const r = await connect(need(p.urls.ws, 'ws'), { token: tokens.access_token, timeoutMs: 1500 });
    assert(r.timedOut === true, 'handshake answered');
    const pending = connect(need(p.urls.ws, 'ws'), { token: tokens.access_token, timeoutMs: 5000 });
    await new Promise((res) => setTimeout(res, 200));
    const started = Date.now();
    const code = await p.stop();
    const dropped = await pending;
    assert(dropped.failed === true, 'pending handshake ended on shutdown');
    assert(code === 0 && Date.now() - started < 3000, `exit ${code} after ${Date.now() - started} ms`);
  });

  await check('ws-close-mid-run: terminated right after tool_executing', async () => {
    await withPlatform({ ...socketEnv, PLATFORM_FAULT: 'ws-close-mid-run' }, async (p) => {
      const { socket } = await openAuthed(p);
      send(socket, 'hello');
      const closed = await socket.closed;
      const types = typesOf(socket.frames);
      assert(closed.code === 1006 && types.at(-1) === 'tool_executing', `${closed.code} ${types.join(',')}`);
    });
  });

  const orderCases: [string, (types: string[]) => boolean][] = [
    ['drop-agent_started', (t) => !t.includes('agent_started') && t.at(-1) === 'agent_completed'],
    ['drop-agent_thinking', (t) => !t.includes('agent_thinking') && t.length >= 4],
    ['drop-tool_executing', (t) => !t.includes('tool_executing') && t.includes('tool_completed')],
    ['drop-tool_completed', (t) => !t.includes('tool_completed') && t.includes('tool_executing')],
    ['drop-agent_completed', (t) => !t.includes('agent_completed') && t.includes('tool_completed')],
    ['tool-completed-before-executing', (t) => t.indexOf('tool_completed') < t.indexOf('tool_executing')],
    ['completed-before-thinking', (t) => t[1] === 'agent_completed' && t.at(-1) === 'tool_completed'],
  ];
  for (const [fault, ok] of orderCases) {
    await check(fault, async () => {
      await withPlatform({ ...socketEnv, PLATFORM_FAULT: fault }, async (p) => {
        const { socket } = await openAuthed(p);
        const stats = async () =>
          (await getJson(`${p.urls.api}/__platform/stats`)).body as Record<string, number>;
        send(socket, 'hello');
        const deadline = Date.now() + 5000;
        while ((await stats()).runs_completed !== 1) {
          assert(Date.now() < deadline, 'run did not finish');
          await new Promise((r) => setTimeout(r, 50));
        }
        const types = typesOf(socket.frames);
        assert(ok(types), types.join(','));
        socket.ws.close();
      });
    });
  }

  await check('agent-started-delayed', async () => {
    await withPlatform(
      { ...socketEnv, PLATFORM_FAULT: 'agent-started-delayed', PLATFORM_FAULT_DELAY_MS: '800' },
      async (p) => {
        const { socket } = await openAuthed(p);
        const sent = Date.now();
        await runOnce(socket, 'slow', () => socket.frames.some((f) => f.type === 'agent_started'), 3000);
        assert(Date.now() - sent >= 750, `agent_started after ${Date.now() - sent} ms`);
        socket.ws.close();
      },
    );
  });

  await check('cross-user-leak sends another user run onto the socket', async () => {
    await withPlatform({ ...socketEnv, PLATFORM_FAULT: 'cross-user-leak' }, async (p) => {
      const { socket, tokens } = await openAuthed(p);
      await runOnce(
        socket,
        'mine',
        () => socket.frames.filter((f) => f.type === 'agent_completed').length === 2,
      );
      const users = new Set(agentFrames(socket.frames).map((f) => f.payload?.user_id));
      const runs = new Set(agentFrames(socket.frames).map((f) => f.run_id));
      assert(users.size === 2 && users.has(tokens.user.id) && runs.size === 2, 'a foreign run arrived');
      socket.ws.close();
    });
  });

  await check('flood: N marked heartbeats between thinking and tools, run completes', async () => {
    await withPlatform({ ...socketEnv, PLATFORM_FLOOD_FRAMES: '5000' }, async (p) => {
      const { socket } = await openAuthed(p);
      const frames = await runOnce(socket, 'flood me', undefined, 15_000);
      const floods = frames.filter((f) => f.type === 'heartbeat' && f.payload?.flood_seq !== undefined);
      assert(floods.length === 5000, `flood frames ${floods.length}`);
      assert(isGoldenOrder(typesOf(frames)), 'order kept');
      const firstFlood = frames.indexOf(floods[0] as Frame);
      const lastThinking = frames.findLastIndex((f) => f.type === 'agent_thinking');
      const firstTool = frames.findIndex((f) => f.type === 'tool_executing');
      assert(
        lastThinking < firstFlood && frames.lastIndexOf(floods.at(-1) as Frame) < firstTool,
        'flood position',
      );
      const stats = (await getJson(`${p.urls.api}/__platform/stats`)).body as Record<string, number>;
      assert(stats.flood_frames_sent === 5000, `stats ${stats.flood_frames_sent}`);
      socket.ws.close();
    });
  });

  await check('frontend fault is served to the page', async () => {
    await withPlatform({ PLATFORM_FAULT: 'ui-throws', PLATFORM_SERVICES: 'frontend' }, async (p) => {
      const config = await (await fetch(`${p.urls.frontend}/config.js`)).text();
      assert(config.includes('"fault":"ui-throws"') && config.includes('ws://127.0.0.1:47812/ws'), config);
    });
  });
}

async function main(): Promise<void> {
  await healthyPlatformChecks();
  await faultChecks();
  process.stdout.write(`${passed} passed, ${failed} failed\n`);
  process.exitCode = failed === 0 ? 0 : 1;
}

void main();
