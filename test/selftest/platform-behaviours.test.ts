/**
 * The reference platform produces every fault and deployment shape the self-tests rely on,
 * checked at the platform's own level: bare sockets and HTTP, no browser, no harness. A fault
 * the platform cannot really produce would make its matrix row prove nothing.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { AgentClient, establishedClient, testAuth } from '../support/agent-client.ts';
import {
  PLATFORM_DEFAULTS,
  type RunningPlatform,
  setPlatformFault,
  startPlatform,
} from '../support/platform.ts';

const [ALICE = ''] = PLATFORM_DEFAULTS.users;

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
