/**
 * The reference frontend's page faults and shapes, proven by running its chat page's own
 * scripts against a live platform in a page sandbox (no browser): what it renders, where it
 * navigates, and which sockets it opens.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { badCredentials, establishedClient, testAuth } from '../support/agent-client.ts';
import { PageSandbox } from '../support/page-sandbox.ts';
import {
  PLATFORM_DEFAULTS,
  type RunningPlatform,
  setPlatformFault,
  setPlatformShape,
  startPlatform,
} from '../support/platform.ts';

const [ALICE = '', BOB = ''] = PLATFORM_DEFAULTS.users;

/** The chat page signed in with `token` (no refresh token, as after the test-auth hand-off). */
function openChat(platform: RunningPlatform, token: string): Promise<PageSandbox> {
  return PageSandbox.open(platform.urls.frontend, '/chat', { session: { access_token: token } });
}

const status = (page: PageSandbox) => page.element('connection-status').dataset.state;
const agentSockets = (page: PageSandbox) => page.sockets.filter((s) => new URL(s.url).pathname === '/ws');
const answers = (page: PageSandbox) =>
  page.byTestId('conversation', 'agent-response').map((e) => e.textContent);

async function connected(page: PageSandbox): Promise<void> {
  await page.until(() => status(page) === 'connected', 'the page connected');
}

/** Resolves after the presence side socket has ticked twice more: over a second of page time. */
async function twoPresenceTicks(page: PageSandbox): Promise<void> {
  const presence = page.sockets.find((s) => new URL(s.url).pathname === '/presence');
  assert.ok(presence, 'the page opened no presence socket');
  let ticks = 0;
  presence.on('message', () => {
    ticks += 1;
  });
  await page.until(() => ticks >= 2, 'two presence ticks');
}

describe('page negative controls', () => {
  let platform: RunningPlatform;
  const pages: PageSandbox[] = [];
  before(async () => {
    platform = await startPlatform({ PLATFORM_RUN_MS: '200' });
  });
  after(async () => {
    for (const page of pages) page.close();
    await platform.stop();
  });
  const open = async (token: string) => {
    const page = await openChat(platform, token);
    pages.push(page);
    return page;
  };

  it('after a refused socket the page goes back to sign-in; under ui-stays-on-dead-chat it stays, showing an error', async () => {
    const { urls } = platform;
    const foreign = (await badCredentials(urls.auth, ALICE))['foreign-key'];
    await setPlatformFault(urls, 'none');
    const healthy = await open(foreign);
    const back = await healthy.until(() => healthy.navigations[0], 'the way back to sign-in');
    assert.deepEqual(back, {
      how: 'replace',
      url: '/login?reason=could%20not%20connect%20to%20the%20agent%20service',
    });

    await setPlatformFault(urls, 'ui-stays-on-dead-chat');
    const dead = await open(foreign);
    await dead.until(() => status(dead) === 'error', 'an error status');
    assert.equal(agentSockets(dead).length, 3, 'the first attempt and its two retries');
    assert.deepEqual(dead.navigations, []);
    assert.equal(dead.path, '/chat');
  });

  it('after an abnormal close the page reconnects; under ui-never-reconnects it opens no new socket', async () => {
    const { urls } = platform;
    const token = (await testAuth(urls.auth, ALICE)).access_token;
    const alice = (await testAuth(urls.auth, ALICE)).user.id;
    for (const fault of ['none', 'ui-never-reconnects']) {
      await setPlatformFault(urls, fault);
      const page = await open(token);
      await connected(page);
      await request(`${urls.api}/__platform/drop-sockets?user_id=${alice}`, { method: 'POST' });
      if (fault === 'none') {
        await page.until(() => agentSockets(page).length === 2, 'a new socket');
        await connected(page);
      } else {
        await page.until(() => status(page) === 'disconnected', 'the disconnected status');
        await twoPresenceTicks(page);
        assert.equal(agentSockets(page).length, 1, 'a socket opened after the drop');
      }
      page.close();
    }
  });

  it("under ui-shows-other-answer the page shows another user's answer before its own", async () => {
    const { urls } = platform;
    await setPlatformFault(urls, 'ui-shows-other-answer');
    const bob = await establishedClient(urls.ws, (await testAuth(urls.auth, BOB)).access_token);
    const bobs = await bob.run('what did bob ask');
    bob.close();
    const page = await open((await testAuth(urls.auth, ALICE)).access_token);
    await connected(page);
    page.sendMessage('what did alice ask');
    await page.until(() => answers(page).length === 2, 'two answers');
    assert.equal(answers(page)[0], bobs.completed.frame.payload?.result, "bob's answer, first");
    assert.match(String(answers(page)[1]), /what did alice ask/);
  });
});

describe('page faults: what the page fails to show', () => {
  let platform: RunningPlatform;
  let token = '';
  before(async () => {
    platform = await startPlatform({ PLATFORM_RUN_MS: '200' });
    token = (await testAuth(platform.urls.auth, ALICE)).access_token;
  });
  after(() => platform.stop());

  const shown = (page: PageSandbox) =>
    page.byTestId('agent-events', 'agent-event').map((e) => e.dataset.eventType);

  /** Opens the chat under `fault`, sends one message, and resolves once agent_completed has arrived. */
  async function runOnPage(fault: string): Promise<{ page: PageSandbox; completedAtMs: number }> {
    await setPlatformFault(platform.urls, fault);
    const page = await openChat(platform, token);
    await connected(page);
    const [socket] = agentSockets(page);
    assert.ok(socket);
    let completedAtMs = 0;
    socket.on('message', (data: Buffer, isBinary: boolean) => {
      if (!isBinary && JSON.parse(data.toString()).type === 'agent_completed') completedAtMs = Date.now();
    });
    page.sendMessage('show me everything');
    await page.until(() => completedAtMs > 0, 'agent_completed on the page socket');
    return { page, completedAtMs };
  }

  it('ui-events-without-answer: every event shown, no answer', async () => {
    const { page } = await runOnPage('ui-events-without-answer');
    await page.until(() => shown(page).includes('agent_completed'), 'the agent_completed item');
    assert.ok(shown(page).includes('tool_completed'));
    assert.deepEqual(answers(page), []);
    page.close();
  });

  it('ui-answer-without-tools: the answer and every event but the tool ones', async () => {
    const { page } = await runOnPage('ui-answer-without-tools');
    await page.until(() => answers(page).length === 1, 'the answer');
    assert.match(String(answers(page)[0]), /show me everything/);
    const types = shown(page);
    assert.ok(
      types.includes('agent_started') &&
        types.includes('agent_thinking') &&
        types.includes('agent_completed'),
    );
    assert.ok(!types.includes('tool_executing') && !types.includes('tool_completed'), types.join(', '));
    page.close();
  });

  it('ui-renders-late: nothing shown when the run completes, each event and the answer 5 s after arrival', async () => {
    const { page, completedAtMs } = await runOnPage('ui-renders-late');
    assert.deepEqual(shown(page), [], 'shown at arrival');
    await page.until(() => answers(page).length === 1, 'the late answer', 8000);
    const late = Date.now() - completedAtMs;
    assert.ok(late >= 4900, `the answer came ${late} ms after its frame`);
    assert.ok(shown(page).includes('agent_completed'));
    page.close();
  });
});

describe('deployment shapes: the frontend', () => {
  let platform: RunningPlatform;
  let token = '';
  before(async () => {
    platform = await startPlatform({
      PLATFORM_RUN_MS: '200',
      PLATFORM_FRONTEND_SHAPE: 'strict-mode,client-reconnect,callback-keeps-token',
      PLATFORM_BACKEND_SHAPE: 'server-close-after-run',
    });
    token = (await testAuth(platform.urls.auth, ALICE)).access_token;
  });
  after(() => platform.stop());

  it('strict-mode and client-reconnect: two sockets dropped by the page, then one it keeps', async () => {
    const page = await openChat(platform, token);
    await connected(page);
    const [strict, dropped, kept] = agentSockets(page);
    assert.equal(agentSockets(page).length, 3);
    assert.equal(strict?.protocol, '', 'the StrictMode socket was closed before it opened');
    assert.equal(dropped?.readyState, dropped?.CLOSED, 'the page closed its first authenticated socket');
    assert.equal(kept?.readyState, kept?.OPEN);
    page.close();
  });

  it('server-close-after-run: the page reconnects after each run and the next message completes', async () => {
    const page = await openChat(platform, token);
    await connected(page);
    const before = agentSockets(page).length;
    page.sendMessage('first');
    await page.until(() => answers(page).length === 1, 'the first answer');
    await page.until(() => agentSockets(page).length === before + 1, 'a new socket after the server closed');
    await connected(page);
    page.sendMessage('second');
    await page.until(() => answers(page).length === 2, 'the second answer');
    page.close();
  });

  it('callback-keeps-token: the hand-off leaves the token in the URL and history', async () => {
    const path = `/auth/callback?token=${encodeURIComponent(token)}`;
    const page = await PageSandbox.open(platform.urls.frontend, path);
    assert.deepEqual(page.navigations, [{ how: 'assign', url: '/chat' }]);
  });

  it('without callback-keeps-token the hand-off takes the token out of the URL first', async () => {
    const plain = await startPlatform();
    try {
      const page = await PageSandbox.open(
        plain.urls.frontend,
        `/auth/callback?token=${encodeURIComponent(token)}`,
      );
      assert.deepEqual(page.navigations, [
        { how: 'replaceState', url: '/auth/callback' },
        { how: 'replace', url: '/chat' },
      ]);
    } finally {
      await plain.stop();
    }
  });
});

describe('deployment shapes: a single-page frontend', () => {
  let platform: RunningPlatform;
  before(async () => {
    platform = await startPlatform({ PLATFORM_RUN_MS: '200', PLATFORM_FRONTEND_SHAPE: 'spa' });
  });
  after(() => platform.stop());
  const shownView = (page: PageSandbox) =>
    ['login', 'chat'].filter((view) => !page.element(`view-${view}`).hidden);

  it('signs in and chats on client-side routes of one document', async () => {
    const page = await PageSandbox.open(platform.urls.frontend, '/login');
    assert.deepEqual(shownView(page), ['login']);
    page.element('email').value = ALICE;
    page.element('password').value = PLATFORM_DEFAULTS.password;
    page.element('login-form').dispatch('submit');
    await connected(page);
    assert.deepEqual(page.navigations, [{ how: 'pushState', url: '/chat' }]);
    assert.deepEqual(shownView(page), ['chat']);
    page.sendMessage('one document');
    await page.until(() => answers(page).length === 1, 'the answer');
    page.close();
  });

  it('goes back to /login after a refusal on a client-side route, and says why', async () => {
    const foreign = (await badCredentials(platform.urls.auth, ALICE))['foreign-key'];
    const page = await openChat(platform, foreign);
    await page.until(() => page.navigations.length > 0, 'the way back');
    assert.deepEqual(page.navigations, [
      { how: 'replaceState', url: '/login?reason=could%20not%20connect%20to%20the%20agent%20service' },
    ]);
    assert.deepEqual(shownView(page), ['login']);
    assert.equal(page.element('login-alert').textContent, 'could not connect to the agent service');
    assert.equal(page.element('login-alert').hidden, false);
    page.close();
  });

  it('serves the one document at both /login and /chat', async () => {
    for (const path of ['/login', '/chat']) {
      const html = await (await request(`${platform.urls.frontend}${path}`)).body.text();
      assert.match(html, /<body data-view="spa">[\s\S]*id="view-login"[\s\S]*id="view-chat"/, path);
    }
  });
});

describe('deployment shapes under a base path: every route keeps it', () => {
  let platform: RunningPlatform;
  before(async () => {
    platform = await startPlatform({ PLATFORM_RUN_MS: '200', PLATFORM_FRONTEND_PREFIX: '/app' });
  });
  after(() => platform.stop());

  const signIn = async (page: PageSandbox) => {
    page.element('email').value = ALICE;
    page.element('password').value = PLATFORM_DEFAULTS.password;
    page.element('login-form').dispatch('submit');
    await page.until(() => page.navigations.length > 0, 'the way to the chat');
  };

  it('documents: sign-in goes to /app/chat', async () => {
    const page = await PageSandbox.open(platform.urls.frontend, '/app/login');
    await signIn(page);
    assert.deepEqual(page.navigations, [{ how: 'assign', url: '/app/chat' }]);
  });

  it('the shape switch refuses an unknown name, and says which are valid', async () => {
    const response = await request(`${platform.urls.api}/__platform/shape?frontend=spa,flat`, {
      method: 'POST',
    });
    assert.equal(response.statusCode, 400);
    const { detail } = (await response.body.json()) as { detail: string };
    assert.match(
      detail,
      /unknown frontend shape "flat".*strict-mode\|client-reconnect\|spa\|callback-keeps-token/,
    );
    const now = await (await request(`${platform.urls.api}/__platform/shape`)).body.json();
    assert.deepEqual(now, { frontend: [], backend: [] }, 'a refused switch changes nothing');
  });

  it('spa (switched at run time): sign-in, chat and the way back are routes under /app', async () => {
    await setPlatformShape(platform.urls, { frontend: 'spa' });
    try {
      const page = await PageSandbox.open(platform.urls.frontend, '/app/login');
      await signIn(page);
      await connected(page);
      assert.deepEqual(page.navigations, [{ how: 'pushState', url: '/app/chat' }]);
      page.element('sign-out').dispatch('click');
      assert.deepEqual(page.navigations.at(-1), { how: 'replaceState', url: '/app/login' });
      assert.equal(page.element('view-login').hidden, false);
      page.close();
    } finally {
      await setPlatformShape(platform.urls, { frontend: 'none' });
    }
  });
});
