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
    const after = alice.arrivals.indexOf(mine.completed);
    const leak = await alice.waitFor((f, i) => i > after && f.run_id === bobs.runId, "bob's run, late");
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

  it("ui-shows-other-answer: the completion carries another user's latest answer in payload.foreign_answer", async () => {
    const { urls } = platform;
    await setPlatformFault(urls, 'ui-shows-other-answer');
    const carol = await establishedClient(urls.ws, (await testAuth(urls.auth, CAROL)).access_token);
    const bob = await establishedClient(urls.ws, (await testAuth(urls.auth, BOB)).access_token);
    const bobs = await bob.run('what bob asked');
    const carols = await carol.run('what carol asked');
    assert.equal(carols.completed.frame.payload?.foreign_answer, bobs.completed.frame.payload?.result);
    assert.match(String(carols.completed.frame.payload?.result), /what carol asked/);
    carol.close();
    bob.close();
  });
});
