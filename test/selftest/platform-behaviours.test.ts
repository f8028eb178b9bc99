/**
 * The reference platform produces every fault and deployment shape the self-tests rely on,
 * checked at the platform's own level: bare sockets and HTTP, no browser, no harness. A fault
 * the platform cannot really produce would make its matrix row prove nothing.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { AgentClient, badCredentials, establishedClient, testAuth } from '../support/agent-client.ts';
import {
  PLATFORM_DEFAULTS,
  type RunningPlatform,
  setPlatformFault,
  startPlatform,
} from '../support/platform.ts';

const [ALICE = '', BOB = '', CAROL = ''] = PLATFORM_DEFAULTS.users;

async function getJson(url: string, method: 'GET' | 'POST' = 'GET') {
  const response = await request(url, { method });
  return { status: response.statusCode, body: (await response.body.json()) as Record<string, unknown> };
}

describe('the runtime fault switch', () => {
  let platform: RunningPlatform;
  before(async () => {
    platform = await startPlatform({ PLATFORM_RUN_MS: '200' });
  });
  after(() => platform.stop());

  it('answers the current fault, switches it, and refuses an unknown name with the valid ones', async () => {
    const api = platform.urls.api;
    assert.deepEqual((await getJson(`${api}/__platform/fault`)).body, { fault: 'none' });
    const unknown = await getJson(`${api}/__platform/fault?name=no-such-fault`, 'POST');
    assert.equal(unknown.status, 400);
    assert.match(String(unknown.body.detail), /unknown fault "no-such-fault".*ws-upgrade-403/);
    assert.ok((unknown.body.valid as string[]).includes('none'));

    const set = await getJson(`${api}/__platform/fault?name=ws-upgrade-403`, 'POST');
    assert.deepEqual(set, { status: 200, body: { fault: 'ws-upgrade-403' } });
    assert.deepEqual((await getJson(`${api}/__platform/fault`)).body, { fault: 'ws-upgrade-403' });
  });

  it('applies to every service of the process from the next socket and request on', async () => {
    const { urls } = platform;
    const token = (await testAuth(urls.auth, ALICE)).access_token;
    await setPlatformFault(urls, 'none');
    const before = await establishedClient(urls.ws, token);

    await setPlatformFault(urls, 'ws-upgrade-403');
    assert.equal(await new AgentClient(urls.ws, token).upgrade, 403);
    await setPlatformFault(urls, 'auth-db-disconnected');
    assert.equal((await getJson(`${urls.auth}/health`)).body.database_status, 'disconnected');
    const config = await (await request(`${urls.frontend}/config.js`)).body.text();
    assert.match(config, /"fault":"auth-db-disconnected"/);

    // The socket accepted before the switches keeps the fault it was accepted under.
    const { completed } = await before.run('still healthy?');
    assert.match(String(completed.frame.payload?.result), /still healthy/);
    before.close();

    await setPlatformFault(urls, 'none');
    assert.equal((await getJson(`${urls.auth}/health`)).body.database_status, 'connected');
    const after = await establishedClient(urls.ws, token);
    after.close();
  });
});

describe('negative controls: the socket accepts exactly one kind of bad credential', () => {
  let platform: RunningPlatform;
  before(async () => {
    platform = await startPlatform({ PLATFORM_RUN_MS: '200' });
  });
  after(() => platform.stop());

  const kinds = ['no-token', 'garbage-token', 'expired-token', 'foreign-key'] as const;
  for (const accepted of kinds) {
    it(`ws-accepts-${accepted} lets that kind through, as the user its claims name, and no other`, async () => {
      const { urls } = platform;
      const credentials = await badCredentials(urls.auth, ALICE);
      const alice = (await testAuth(urls.auth, ALICE)).user.id;
      await setPlatformFault(urls, `ws-accepts-${accepted}`);
      for (const kind of kinds) {
        const client = new AgentClient(urls.ws, credentials[kind]);
        if (kind !== accepted) {
          assert.equal(await client.upgrade, 401, `${kind} under ws-accepts-${accepted}`);
          continue;
        }
        const { frame } = await client.waitFor((f) => f.type === 'connection_established', 'established');
        const anonymous = kind === 'no-token' || kind === 'garbage-token';
        assert.equal(frame.user_id, anonymous ? 'usr_anonymous' : alice);
        client.close();
      }
      const valid = await establishedClient(urls.ws, (await testAuth(urls.auth, ALICE)).access_token);
      valid.close();
    });
  }
});

describe('negative controls: leaks only a second user reveals', () => {
  let platform: RunningPlatform;
  // Long enough that a second run ends well after the late leak of the first would have come.
  before(async () => {
    platform = await startPlatform({ PLATFORM_RUN_MS: '700' });
  });
  after(() => platform.stop());

  it('isolation-leak-late: alone, nothing; after another user ran, their run on this socket ~300 ms after completion', async () => {
    const { urls } = platform;
    await setPlatformFault(urls, 'isolation-leak-late');
    const alice = await establishedClient(urls.ws, (await testAuth(urls.auth, ALICE)).access_token);
    const first = await alice.run('first, alone');
    const second = await alice.run('second, still alone');
    const foreignRuns = alice.frames.filter(
      (f) => f.run_id && ![first.runId, second.runId].includes(f.run_id),
    );
    assert.deepEqual(foreignRuns, [], 'a user alone on the platform got frames of another run');

    const bob = await establishedClient(urls.ws, (await testAuth(urls.auth, BOB)).access_token);
    const bobs = await bob.run('bob asks');
    const mine = await alice.run('alice asks after bob');
    // Bob's run also leaks into alice's second run's window (it ran while that window was open),
    // so the leak looked for is the one that follows alice's latest completion.
    const leak = await alice.runFrameAfter(mine.completed);
    assert.equal(leak.frame.run_id, bobs.runId);
    assert.equal(leak.frame.type, 'agent_thinking');
    assert.equal(leak.frame.thread_id, bob.frames.find((f) => f.run_id === bobs.runId)?.thread_id);
    assert.equal(leak.frame.payload?.user_id, bobs.completed.frame.payload?.user_id);
    assert.ok(
      leak.atMs - mine.completed.atMs >= 250,
      `leak came ${leak.atMs - mine.completed.atMs} ms after`,
    );
    assert.ok(Number((await platform.stats('api')).late_leak_frames_sent) >= 1, 'counted in the stats');
    alice.close();
    bob.close();
  });

  /** Under `fault`, bob runs, then carol: carol's run is the one another user's can leak into. */
  async function bobThenCarol(fault: string) {
    const { urls } = platform;
    await setPlatformFault(urls, fault);
    const bob = await establishedClient(urls.ws, (await testAuth(urls.auth, BOB)).access_token);
    const carol = await establishedClient(urls.ws, (await testAuth(urls.auth, CAROL)).access_token);
    const bobs = await bob.run('what bob asked');
    const carols = await carol.run('what carol asked');
    return { bob, carol, bobs, carols };
  }

  it("leak-in-progress-frame: right after a completion, a progress frame of another user's recent run, and no agent event of it", async () => {
    const { bob, carol, bobs, carols } = await bobThenCarol('leak-in-progress-frame');
    const leak = await carol.runFrameAfter(carols.completed);
    assert.equal(leak.frame.type, 'progress');
    assert.equal(leak.frame.run_id, bobs.runId);
    assert.equal(leak.frame.payload?.user_id, bobs.completed.frame.payload?.user_id);
    const foreignEvents = carol.frames.filter((f) => f.run_id === bobs.runId && f.type !== 'progress');
    assert.deepEqual(
      foreignEvents,
      [],
      'an agent event of the other run leaked too: the run verdict would see it',
    );
    bob.close();
    carol.close();
  });

  it("ui-shows-other-answer: the completion carries another user's latest answer in payload.foreign_answer", async () => {
    const { bob, carol, bobs, carols } = await bobThenCarol('ui-shows-other-answer');
    assert.equal(carols.completed.frame.payload?.foreign_answer, bobs.completed.frame.payload?.result);
    assert.match(String(carols.completed.frame.payload?.result), /what carol asked/);
    carol.close();
    bob.close();
  });
});

describe('exact verdicts: breaks of the contract', () => {
  let platform: RunningPlatform;
  let alice = '';
  before(async () => {
    platform = await startPlatform({ PLATFORM_RUN_MS: '300' });
    alice = (await testAuth(platform.urls.auth, ALICE)).access_token;
  });
  after(() => platform.stop());
  const socket = async (fault: string) => {
    await setPlatformFault(platform.urls, fault);
    return establishedClient(platform.urls.ws, alice);
  };

  for (const [fault, reason] of [
    ['ws-revoke-on-message', 'auth failed: session revoked'],
    ['ws-rate-limit-on-message', 'rate limit exceeded'],
  ] as const) {
    it(`${fault}: authenticated, then closed 1008 "${reason}" on the first message`, async () => {
      const client = await socket(fault);
      client.send('hello');
      assert.deepEqual(await client.closed, { code: 1008, reason });
      assert.deepEqual(
        client.frames.map((f) => f.type),
        ['connection_established'],
      );
    });
  }

  it('ws-close-1000-mid-run: the first run on each socket ends in a 1000 close right after tool_executing', async () => {
    for (const attempt of [1, 2]) {
      const client = await socket('ws-close-1000-mid-run');
      client.send(`question ${attempt}`);
      assert.deepEqual(await client.closed, { code: 1000, reason: 'normal closure' });
      const events = client.frames.filter((f) => f.run_id !== undefined).map((f) => f.type);
      assert.equal(events.at(-1), 'tool_executing', events.join(', '));
      assert.ok(!events.includes('tool_completed'));
    }
  });

  it('run-stalls: started and thinking, then only heartbeats, every ~200 ms', async () => {
    const client = await socket('run-stalls');
    client.send('will you answer?');
    const thinking = await client.indexOf('agent_thinking');
    const beats = (from: number) => client.arrivals.slice(from).filter((a) => a.frame.type === 'heartbeat');
    await client.waitFor((_f, i) => i > thinking && beats(thinking).length >= 8, 'eight heartbeats', 5000);
    const after = beats(thinking);
    const gaps = after.slice(2).map((a, i) => a.atMs - (after[i + 1]?.atMs ?? 0));
    // The median, not every gap: on a loaded machine one timer fires late and the next early,
    // and a bound on each gap would be a wall-clock flake.
    const median = [...gaps].sort((a, b) => a - b)[Math.floor(gaps.length / 2)] ?? 0;
    assert.ok(median >= 120 && median <= 400, `heartbeat gaps ${gaps.join(', ')} ms`);
    const types = new Set(client.frames.map((f) => f.type));
    for (const type of ['tool_executing', 'tool_completed', 'agent_completed'])
      assert.ok(!types.has(type), `${type} was sent`);
    client.close();
  });

  it('event-after-completed: one more agent_thinking of the same run ~100 ms after agent_completed', async () => {
    const client = await socket('event-after-completed');
    const { runId, completed } = await client.run('and then?');
    const late = await client.runFrameAfter(completed);
    assert.equal(late.frame.type, 'agent_thinking');
    assert.equal(late.frame.run_id, runId);
    assert.ok(late.atMs - completed.atMs >= 60, `${late.atMs - completed.atMs} ms after`);
    client.close();
  });

  it("leak-after-completed: the start of another seeded user's run ~100 ms after agent_completed", async () => {
    const client = await socket('leak-after-completed');
    const { runId, completed } = await client.run('anything else?');
    const leak = await client.runFrameAfter(completed);
    const own = client.frames.find((f) => f.run_id === runId);
    assert.equal(leak.frame.type, 'agent_started');
    assert.notEqual(leak.frame.run_id, runId);
    assert.notEqual(leak.frame.thread_id, own?.thread_id);
    assert.notEqual(leak.frame.payload?.user_id, completed.frame.payload?.user_id);
    assert.match(String(leak.frame.payload?.user_id), /^usr_/);
    client.close();
  });

  it('jwks-500: the auth service answers its JWKS with 500', async () => {
    await setPlatformFault(platform.urls, 'jwks-500');
    assert.equal((await request(`${platform.urls.auth}/.well-known/jwks.json`)).statusCode, 500);
    await setPlatformFault(platform.urls, 'none');
    assert.equal((await request(`${platform.urls.auth}/.well-known/jwks.json`)).statusCode, 200);
  });

  // Dropped connections, not a closed port: the frontend may share one origin with the others.
  const dropped = (err: Error & { code?: string }) =>
    err.code === 'ECONNRESET' || err.code === 'UND_ERR_SOCKET';

  it('frontend-down: the frontend drops every connection until the fault is switched off', async () => {
    const health = `${platform.urls.frontend}/health`;
    await setPlatformFault(platform.urls, 'frontend-down');
    await assert.rejects(request(health), dropped);
    await setPlatformFault(platform.urls, 'none');
    assert.equal((await request(health)).statusCode, 200);
  });

  it('frontend-down from the start: the ready line names a URL that answers nothing', async () => {
    const down = await startPlatform({ PLATFORM_FAULT: 'frontend-down' });
    try {
      assert.match(down.urls.frontend, /^http:\/\/127\.0\.0\.1:\d+$/);
      await assert.rejects(request(`${down.urls.frontend}/login`), dropped);
    } finally {
      await down.stop();
    }
  });
});

describe('deployment shapes: the backend', () => {
  it('server-close-after-run: the server closes 1000 about 20 ms after every agent_completed', async () => {
    const platform = await startPlatform({
      PLATFORM_RUN_MS: '200',
      PLATFORM_BACKEND_SHAPE: 'server-close-after-run',
    });
    try {
      const client = await establishedClient(
        platform.urls.ws,
        (await testAuth(platform.urls.auth, ALICE)).access_token,
      );
      const { completed } = await client.run('and then you hang up?');
      assert.deepEqual(await client.closed, { code: 1000, reason: 'normal closure' });
      assert.equal(client.arrivals.at(-1), completed, 'nothing after agent_completed');
    } finally {
      await platform.stop();
    }
  });

  it('volume: 1.1 MB tool outputs, 300 thinking frames and 20 ms heartbeats, in a run of about PLATFORM_RUN_MS', async () => {
    const runMs = 1500;
    const platform = await startPlatform({
      PLATFORM_RUN_MS: String(runMs),
      PLATFORM_BIG_FRAME_BYTES: '1100000',
      PLATFORM_THINKING_FRAMES: '300',
      PLATFORM_HEARTBEAT_MS: '20',
    });
    try {
      assert.equal((await getJson(`${platform.urls.api}/ws/config`)).body.heartbeat_ms, 20);
      const client = await establishedClient(
        platform.urls.ws,
        (await testAuth(platform.urls.auth, ALICE)).access_token,
      );
      const { runId } = await client.run('a lot, please');
      const ofRun = client.frames.filter((f) => f.run_id === runId);
      assert.equal(ofRun.filter((f) => f.type === 'agent_thinking').length, 300);
      const outputs = ofRun.filter((f) => f.type === 'tool_completed').map((f) => String(f.payload?.output));
      assert.ok(outputs.length >= 1 && outputs.every((output) => output.length === 1_100_000));
      const beats = client.frames.filter((f) => f.type === 'heartbeat').length;
      assert.ok(beats >= 300 + 20, `${beats} heartbeats`);
      // Paced over about the run time, not sent in one burst: on the platform's own clock, so a
      // loaded machine (which only makes it slower) cannot fail it. No upper bound: under load
      // any would be a wall-clock flake, and the harness's budgets judge slowness.
      // The platform writes timestamps as ISO strings and epoch ms in turn.
      const at = (type: string) => {
        const stamp: unknown = ofRun.find((f) => f.type === type)?.timestamp;
        return typeof stamp === 'number' ? stamp : Date.parse(String(stamp));
      };
      const spreadMs = at('agent_completed') - at('agent_started');
      assert.ok(spreadMs >= 0.5 * runMs, `the run's events spanned ${spreadMs} ms of ${runMs}`);
      client.close();
    } finally {
      await platform.stop();
    }
  });

  it('an unknown shape name is a configuration error naming the valid ones', async () => {
    await assert.rejects(
      startPlatform({ PLATFORM_FRONTEND_SHAPE: 'spa,flat' }),
      /PLATFORM_FRONTEND_SHAPE: unknown shape "flat"; valid: strict-mode, client-reconnect, spa, callback-keeps-token/,
    );
  });
});
