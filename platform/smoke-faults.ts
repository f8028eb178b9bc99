/**
 * The platform's smoke check, its faults: each one started on a platform of its own, and seen
 * to do what its name says. Run by platform/smoke.ts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeProtectedHeader } from 'jose';
import { PLATFORM_DEFAULTS, type RunningPlatform } from '../test/support/platform.ts';
import * as client from '../test/support/smoke-client.ts';

const { password } = PLATFORM_DEFAULTS;

describe('faults', () => {
  const socketEnv = { PLATFORM_SERVICES: 'auth,backend' };
  const tokenFor = async (p: RunningPlatform) =>
    (await client.testAuth(client.need(p.urls.auth, 'auth'))).access_token;

  it('unknown fault exits 2 listing the valid names', async () => {
    await assert.rejects(
      client.startSmokePlatform({ PLATFORM_FAULT: 'no-such-fault' }),
      /exited 2 before ready[\s\S]*ws-upgrade-403/,
    );
  });

  it('production: test-auth 403 before the key check', async () => {
    await client.withPlatform(
      { PLATFORM_ENVIRONMENT: 'production', PLATFORM_SERVICES: 'auth' },
      async (p) => {
        assert.equal(
          (await client.postJson(`${p.urls.auth}/auth/e2e/test-auth`, { email: 'alice@example.test' }))
            .status,
          403,
        );
        assert.ok(p.urls.api === undefined && p.urls.frontend === undefined, 'only auth in the ready line');
      },
    );
  });

  const testAuthStatus = async (auth: string) =>
    (await client.postJson(`${auth}/auth/e2e/test-auth`, { email: 'alice@example.test' }, client.bypass))
      .status;
  const authCases: [string, (auth: string) => Promise<void>][] = [
    ['bypass-key-rejected', async (auth) => assert.equal(await testAuthStatus(auth), 401)],
    ['user-missing', async (auth) => assert.equal(await testAuthStatus(auth), 404)],
    [
      'login-rejects-password',
      async (auth) => {
        const login = await client.postJson(`${auth}/auth/login`, { email: 'alice@example.test', password });
        assert.equal(login.status, 401);
      },
    ],
    [
      'auth-db-disconnected',
      async (auth) => {
        const health = await client.getJson(`${auth}/health`);
        assert.equal(client.field(health.body, 'database_status'), 'disconnected');
      },
    ],
  ];
  for (const [fault, body] of authCases) {
    it(fault, () =>
      client.withPlatform({ PLATFORM_FAULT: fault, PLATFORM_SERVICES: 'auth' }, (p) =>
        body(client.need(p.urls.auth, 'auth')),
      ),
    );
  }

  it('split processes + foreign-signing-key: backend refuses 401, naming the signature', async () => {
    await client.withPlatform(
      { PLATFORM_FAULT: 'foreign-signing-key', PLATFORM_SERVICES: 'auth' },
      async (a) => {
        const auth = client.need(a.urls.auth, 'auth');
        await client.withPlatform({ PLATFORM_SERVICES: 'backend', PLATFORM_AUTH_URL: auth }, async (b) => {
          assert.ok(b.urls.auth === undefined && b.urls.ws !== undefined, 'backend-only ready line');
          const r = await client.connect(client.need(b.urls.ws, 'ws'), { token: await tokenFor(a) });
          assert.ok(r.status === 401 && r.body?.includes('signature'), `upgrade ${r.status} ${r.body}`);
        });
      },
    );
  });

  it('RS256 keys work end to end', async () => {
    await client.withPlatform({ PLATFORM_JWT_ALG: 'RS256', ...socketEnv }, async (p) => {
      const { socket, tokens } = await client.openAuthed(p);
      assert.equal(decodeProtectedHeader(tokens.access_token).alg, 'RS256');
      socket.ws.close();
    });
  });

  it('backend-health-500 keeps /ws/health 200', async () => {
    await client.withPlatform(
      { PLATFORM_FAULT: 'backend-health-500', PLATFORM_SERVICES: 'backend' },
      async (p) => {
        const h = await client.getJson(`${p.urls.api}/health`);
        assert.deepEqual(
          [h.status, h.body, (await client.getJson(`${p.urls.api}/ws/health`)).status],
          [500, 'Internal Server Error', 200],
        );
      },
    );
  });

  it('ws-upgrade-403', async () => {
    await client.withPlatform({ ...socketEnv, PLATFORM_FAULT: 'ws-upgrade-403' }, async (p) => {
      assert.equal(
        (await client.connect(client.need(p.urls.ws, 'ws'), { token: await tokenFor(p) })).status,
        403,
      );
    });
  });

  for (const [fault, code, reason] of [
    ['ws-close-1008', 1008, 'auth failed: token expired'],
    ['ws-close-1011', 1011, 'auth failed: auth service unavailable'],
  ] as const) {
    it(fault, async () => {
      await client.withPlatform({ ...socketEnv, PLATFORM_FAULT: fault }, async (p) => {
        const socket = client.need(
          (await client.connect(client.need(p.urls.ws, 'ws'), { token: await tokenFor(p) })).socket,
          'accepted',
        );
        assert.deepEqual(await socket.closed, { code, reason });
        assert.ok(
          !socket.frames.some((f) => f.type === 'connection_established'),
          'no connection_established',
        );
      });
    });
  }

  it('ws-handshake-hang: no answer, still a clean shutdown', async () => {
    const p = await client.startSmokePlatform({ ...socketEnv, PLATFORM_FAULT: 'ws-handshake-hang' });
    const token = await tokenFor(p);
    assert.equal(
      (await client.connect(client.need(p.urls.ws, 'ws'), { token, timeoutMs: 1500 })).timedOut,
      true,
    );
    const pending = client.connect(client.need(p.urls.ws, 'ws'), { token, timeoutMs: 5000 });
    // The second handshake is left hanging once the platform says so (it logs every one).
    await p.untilLog(/handshake left unanswered[\s\S]*handshake left unanswered/);
    const stopping = Date.now();
    const code = await p.stop();
    assert.equal((await pending).failed, true, 'the pending handshake ended with the shutdown');
    assert.ok(code === 0 && Date.now() - stopping < 3000, `exit ${code} after ${Date.now() - stopping} ms`);
  });

  it('ws-close-mid-run: terminated right after tool_executing', async () => {
    await client.withPlatform({ ...socketEnv, PLATFORM_FAULT: 'ws-close-mid-run' }, async (p) => {
      const { socket } = await client.openAuthed(p);
      client.send(socket, 'hello');
      const closed = await socket.closed;
      assert.ok(
        closed.code === 1006 && client.typesOf(socket.frames).at(-1) === 'tool_executing',
        `${closed.code}`,
      );
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
    it(fault, async () => {
      await client.withPlatform({ ...socketEnv, PLATFORM_FAULT: fault }, async (p) => {
        const { socket } = await client.openAuthed(p);
        client.send(socket, 'hello');
        // The end of a run whose last event was dropped shows only in the platform's log.
        await p.untilLog(/run \S+ completed/);
        assert.ok(ok(client.typesOf(socket.frames)), client.typesOf(socket.frames).join(','));
        socket.ws.close();
      });
    });
  }

  it('agent-started-delayed', async () => {
    await client.withPlatform(
      { ...socketEnv, PLATFORM_FAULT: 'agent-started-delayed', PLATFORM_FAULT_DELAY_MS: '800' },
      async (p) => {
        const { socket } = await client.openAuthed(p);
        const sent = Date.now();
        await client.runOnce(
          socket,
          'slow',
          () => socket.frames.some((f) => f.type === 'agent_started'),
          3000,
        );
        assert.ok(Date.now() - sent >= 750, `agent_started after ${Date.now() - sent} ms`);
        socket.ws.close();
      },
    );
  });

  it('cross-user-leak sends another user run onto the socket', async () => {
    await client.withPlatform({ ...socketEnv, PLATFORM_FAULT: 'cross-user-leak' }, async (p) => {
      const { socket, tokens } = await client.openAuthed(p);
      await client.runOnce(
        socket,
        'mine',
        () => socket.frames.filter((f) => f.type === 'agent_completed').length === 2,
      );
      const users = new Set(client.agentFrames(socket.frames).map((f) => f.payload?.user_id));
      const runs = new Set(client.agentFrames(socket.frames).map((f) => f.run_id));
      assert.ok(users.size === 2 && users.has(tokens.user.id) && runs.size === 2, 'a foreign run arrived');
      socket.ws.close();
    });
  });

  it('flood: N marked heartbeats between thinking and tools, run completes', async () => {
    await client.withPlatform({ ...socketEnv, PLATFORM_FLOOD_FRAMES: '5000' }, async (p) => {
      const { socket } = await client.openAuthed(p);
      const frames = await client.runOnce(socket, 'flood me', undefined, 15_000);
      const floods = frames.filter((f) => f.type === 'heartbeat' && f.payload?.flood_seq !== undefined);
      assert.equal(floods.length, 5000);
      assert.ok(client.isGoldenOrder(client.typesOf(frames)), 'order kept');
      const firstFlood = frames.indexOf(floods[0] as client.Frame);
      const lastThinking = frames.findLastIndex((f) => f.type === 'agent_thinking');
      const firstTool = frames.findIndex((f) => f.type === 'tool_executing');
      assert.ok(
        lastThinking < firstFlood && frames.lastIndexOf(floods.at(-1) as client.Frame) < firstTool,
        'flood position',
      );
      const stats = (await client.getJson(`${p.urls.api}/__platform/stats`)).body as Record<string, number>;
      assert.equal(stats.flood_frames_sent, 5000);
      socket.ws.close();
    });
  });

  it('frontend fault is served to the page', async () => {
    await client.withPlatform({ PLATFORM_FAULT: 'ui-throws', PLATFORM_SERVICES: 'frontend' }, async (p) => {
      const config = await (await fetch(`${p.urls.frontend}/config.js`)).text();
      assert.ok(config.includes('"fault":"ui-throws"') && config.includes('ws://127.0.0.1:47812/ws'), config);
    });
  });
});
