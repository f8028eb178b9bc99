/** The reference platform's faults behave in the netra dialect as in the contract's. */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { generateKeyPair, SignJWT } from 'jose';
import { WebSocket } from 'ws';
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
  subprotocols,
  tokenFor,
  welcomed,
} from '../support/netra-client.ts';
import { PageSandbox } from '../support/page-sandbox.ts';
import { type RunningPlatform, setPlatformFault, startPlatform } from '../support/platform.ts';

/**
 * One platform for every fault, switched at run time (`POST <api>/__platform/fault`): the fault
 * is the whole process's, so the tests that use it run one after another.
 */
let shared: Promise<RunningPlatform> | undefined;
async function withFault<T>(fault: string, body: (platform: RunningPlatform) => Promise<T>): Promise<T> {
  shared ??= startPlatform(NETRA);
  const platform = await shared;
  await setPlatformFault(platform.urls, fault);
  try {
    return await body(platform);
  } finally {
    await setPlatformFault(platform.urls, 'none');
  }
}
after(async () => {
  await (await shared)?.stop();
});

const typesOf = (frames: Frame[]) => frames.filter((f) => AGENT_EVENTS.includes(f.type)).map((f) => f.type);

describe('platform, netra dialect, faults', () => {
  it('test-auth answers 503 to a key when no bypass key is configured', async () => {
    const platform = await startPlatform({ ...NETRA, PLATFORM_BYPASS_KEY: 'none' });
    try {
      const answer = await post(
        `${platform.urls.auth}/auth/e2e/test-auth`,
        {},
        { 'x-e2e-bypass-key': 'any' },
      );
      assert.equal(answer.status, 503);
      assert.equal((await post(`${platform.urls.auth}/auth/e2e/test-auth`, {})).status, 401);
    } finally {
      await platform.stop();
    }
  });

  it('ws-upgrade-403 refuses the upgrade with 403', () =>
    withFault('ws-upgrade-403', async (platform) => {
      const ws = new WebSocket(platform.urls.ws, subprotocols(await tokenFor(platform)));
      // The refused upgrade ends the socket: the error it reports is that refusal.
      ws.on('error', () => undefined);
      const status = await new Promise((resolve) =>
        ws.on('unexpected-response', (req, res) => {
          resolve(res.statusCode);
          req.destroy();
        }),
      );
      assert.equal(status, 403);
    }));

  for (const [fault, code] of [
    ['ws-close-1008', 1008],
    ['ws-close-1011', 1011],
  ] as const) {
    it(`${fault} sends error_message then closes ${code}`, () =>
      withFault(fault, async (platform) => {
        const socket = open(platform.urls.ws, subprotocols(await tokenFor(platform)));
        assert.equal((await socket.closed).code, code);
        assert.deepEqual(
          socket.frames.map((f) => [f.type, f.error_code]),
          [['error_message', 'AUTH_FAILED']],
        );
      }));
  }

  it('a garbage token is refused AUTH_FAILED (not NO_TOKEN) and let through by ws-accepts-garbage-token alone', () =>
    withFault('ws-accepts-no-token', async (platform) => {
      const garbage = ['jwt-auth', `jwt.${Buffer.from('not-a-jwt.0f6e').toString('base64url')}`];
      const refused = open(platform.urls.ws, garbage);
      assert.equal((await refused.closed).code, 1008);
      assert.equal(refused.frames[0]?.error_code, 'AUTH_FAILED');
      await setPlatformFault(platform.urls, 'ws-accepts-garbage-token');
      const accepted = open(platform.urls.ws, garbage);
      await accepted.until(welcomed);
      accepted.ws.close();
      const none = open(platform.urls.ws, ['jwt-auth']);
      assert.equal((await none.closed).code, 1008);
      assert.equal(none.frames[0]?.error_code, 'NO_TOKEN');
    }));

  it('ws-accepts-foreign-key lets a token signed by another key through, whatever its algorithm', () =>
    withFault('ws-accepts-foreign-key', async (platform) => {
      const { privateKey } = await generateKeyPair('ES256');
      const foreign = await new SignJWT({ email: 'alice@example.test' })
        .setProtectedHeader({ alg: 'ES256', kid: 'someone-else' })
        .setSubject('e2e-alice')
        .setIssuedAt()
        .setExpirationTime('5m')
        .sign(privateKey);
      const socket = open(platform.urls.ws, subprotocols(foreign));
      await socket.until(welcomed);
      socket.ws.close();
    }));

  it('ws-handshake-hang never answers the upgrade', () =>
    withFault('ws-handshake-hang', async (platform) => {
      const ws = new WebSocket(platform.urls.ws, subprotocols(await tokenFor(platform)), {
        handshakeTimeout: 500,
      });
      const error = await new Promise<Error>((resolve) => ws.on('error', resolve));
      assert.match(error.message, /handshake has timed out/);
    }));

  it('ws-close-mid-run drops the socket right after tool_executing', () =>
    withFault('ws-close-mid-run', async (platform) => {
      const { socket } = await oneRun(platform);
      assert.equal((await socket.closed).code, 1006);
      assert.equal(typesOf(socket.frames).at(-1), 'tool_executing');
    }));

  for (const dropped of AGENT_EVENTS) {
    it(`drop-${dropped} never sends ${dropped}`, () =>
      withFault(`drop-${dropped}`, async (platform) => {
        const { socket } = await oneRun(platform);
        // The run is over when the last planned event is in, so the drop of agent_completed waits for the tools.
        const last = dropped === 'agent_completed' ? 'tool_completed' : 'agent_completed';
        const frames = await socket.until(
          (f) =>
            typesOf(f).includes(last) && (last !== 'tool_completed' || f.at(-1)?.type !== 'tool_executing'),
        );
        socket.ws.close();
        assert.equal(typesOf(frames).includes(dropped), false);
      }));
  }

  it('tool-completed-before-executing sends each tool pair reversed', () =>
    withFault('tool-completed-before-executing', async (platform) => {
      const { socket } = await oneRun(platform);
      const types = typesOf(await socket.until((f) => completions(f) === 2)).filter((t) =>
        t.startsWith('tool_'),
      );
      socket.ws.close();
      assert.equal(types[0], 'tool_completed');
    }));

  it('agent-started-delayed sends agent_started after the delay, then the rest', () =>
    withFault('agent-started-delayed', async (platform) => {
      const { socket } = await oneRun(platform);
      const frames = await socket.until((f) => completions(f) === 2);
      socket.ws.close();
      assert.equal(typesOf(frames)[0], 'agent_started');
      const runs = (await get(`${platform.urls.api}/__platform/runs`)).text;
      assert.match(runs, /agent_started/);
    }));

  it('cross-user-leak interleaves another user’s run onto the socket', () =>
    withFault('cross-user-leak', async (platform) => {
      const { socket } = await oneRun(platform);
      const frames = await socket.until((f) => completions(f) === 4);
      socket.ws.close();
      const users = new Set(
        frames
          .filter((f) => AGENT_EVENTS.includes(f.type))
          .map((f) => ((f.data ?? f.payload) as Json).user_id),
      );
      assert.deepEqual([...users].sort(), ['e2e-alice', 'e2e-bob']);
    }));
});

/** netra's chat page (its own scripts, in a page sandbox) signed in with `token` in localStorage.jwt_token. */
function netraChat(platform: RunningPlatform, token: string): Promise<PageSandbox> {
  return PageSandbox.open(platform.urls.frontend, '/chat', { localStorage: { jwt_token: token } });
}

const state = (page: PageSandbox) => page.element('connection-status').dataset.state;
const shown = (page: PageSandbox) =>
  page.byTestId('activity', 'agent-activity-item').map((item) => item.dataset.eventType);
const answersOn = (page: PageSandbox) =>
  page.byTestId('messages', 'ai-message').map((item) => item.textContent);
const fieldsOf = (frame: Frame) => ({ ...((frame.payload ?? {}) as Json), ...((frame.data ?? {}) as Json) });

/** A token netra's page can read (it decodes, it has not expired) that the socket refuses: another secret signed it. */
const forgedToken = () =>
  new SignJWT({ email: 'alice@example.test' })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject('e2e-alice')
    .setIssuedAt()
    .setExpirationTime('10m')
    .sign(new TextEncoder().encode('not-the-platform-secret-0123456789abcdef'));

/** The chat page under the current fault, connected, with one message sent; resolves once agent_completed has arrived. */
async function runOnNetraPage(
  platform: RunningPlatform,
): Promise<{ page: PageSandbox; completedAtMs: number }> {
  const page = await netraChat(platform, await tokenFor(platform));
  await page.until(() => state(page) === 'connected', 'the page connected');
  let completedAtMs = 0;
  page.sockets[0]?.on('message', (data: Buffer, binary: boolean) => {
    if (!binary && JSON.parse(data.toString()).type === 'agent_completed') completedAtMs ||= Date.now();
  });
  page.sendMessage('show me everything');
  await page.until(() => completedAtMs > 0, 'agent_completed on the page socket');
  return { page, completedAtMs };
}

describe('platform, netra dialect, page faults (its own pages, test ids and ways back)', () => {
  it('after a refusal the page goes back to /login with the reason; under ui-stays-on-dead-chat it stays, showing an error', () =>
    withFault('none', async (platform) => {
      const token = await forgedToken();
      const healthy = await netraChat(platform, token);
      const back = await healthy.until(
        () => healthy.navigations.find((n) => n.how === 'replace'),
        'the way back',
      );
      assert.match(back.url, /^\/login\?error=\S+/);

      await setPlatformFault(platform.urls, 'ui-stays-on-dead-chat');
      const dead = await netraChat(platform, token);
      // The status changes in the page's close handler, which runs after the sandbox sees the close.
      await dead.until(() => dead.sockets[0]?.readyState === WebSocket.CLOSED, 'the refused socket closed');
      assert.equal(state(dead), 'error');
      const signedOut = await PageSandbox.open(platform.urls.frontend, '/chat');
      await signedOut.until(() => state(signedOut) === 'error', 'an error status with no token');
      for (const page of [dead, signedOut]) {
        assert.deepEqual(page.navigations, []);
        assert.equal(page.path, '/chat');
        page.close();
      }
    }));

  it('after an abnormal close the page reconnects; under ui-never-reconnects it shows disconnected and has nothing left to run', () =>
    withFault('none', async (platform) => {
      for (const fault of ['none', 'ui-never-reconnects']) {
        await setPlatformFault(platform.urls, fault);
        const page = await netraChat(platform, await tokenFor(platform));
        await page.until(() => state(page) === 'connected', 'the page connected');
        await post(`${platform.urls.api}/__platform/drop-sockets?user_id=e2e-alice`, {});
        if (fault === 'none') {
          await page.until(() => page.sockets.length === 2 && state(page) === 'connected', 'a new socket');
        } else {
          await page.until(
            () => page.sockets[0]?.readyState === WebSocket.CLOSED,
            'the dropped socket closed',
          );
          assert.equal(state(page), 'disconnected');
          // No timer pending and no socket open: nothing can open a socket any more.
          assert.equal(page.pendingTimers, 0);
          assert.deepEqual(
            page.sockets.map((socket) => socket.readyState),
            [WebSocket.CLOSED],
          );
        }
        page.close();
      }
    }));

  it("under ui-shows-other-answer the page shows another user's answer before its own", () =>
    withFault('ui-shows-other-answer', async (platform) => {
      const bob = open(platform.urls.ws, subprotocols(await tokenFor(platform, 'bob@example.test')));
      await bob.until((frames) => frames.length > 0);
      bob.ws.send(
        JSON.stringify({
          type: 'start_agent',
          payload: { user_request: 'what did bob ask', thread_id: 't-bob' },
        }),
      );
      const bobs = (await bob.until((frames) => completions(frames) > 0)).find(
        (f) => f.type === 'agent_completed',
      );
      bob.ws.close();
      const bobsAnswer = (fieldsOf(bobs as Frame).result as Json).response;
      const { page } = await runOnNetraPage(platform);
      await page.until(() => answersOn(page).length === 2, 'two answers');
      assert.equal(answersOn(page)[0], bobsAnswer, "bob's answer, first");
      assert.match(String(answersOn(page)[1]), /show me everything/);
      page.close();
    }));

  it('ui-events-without-answer: every event shown, no answer', () =>
    withFault('ui-events-without-answer', async (platform) => {
      const { page } = await runOnNetraPage(platform);
      await page.until(() => shown(page).includes('agent_completed'), 'the agent_completed item');
      assert.ok(shown(page).includes('tool_completed'));
      assert.deepEqual(answersOn(page), []);
      page.close();
    }));

  it('ui-answer-without-tools: the answer and every event but the tool ones', () =>
    withFault('ui-answer-without-tools', async (platform) => {
      const { page } = await runOnNetraPage(platform);
      await page.until(() => answersOn(page).length === 1, 'the answer');
      assert.deepEqual([...new Set(shown(page))], ['agent_started', 'agent_thinking', 'agent_completed']);
      page.close();
    }));

  it('ui-renders-late: nothing shown when the run completes, each event and the answer 5 s after arrival', () =>
    withFault('ui-renders-late', async (platform) => {
      const { page, completedAtMs } = await runOnNetraPage(platform);
      assert.deepEqual(shown(page), [], 'shown at arrival');
      await page.until(() => answersOn(page).length === 1, 'the late answer', 8000);
      const late = Date.now() - completedAtMs;
      assert.ok(late >= 4900, `the answer came ${late} ms after its frame`);
      assert.ok(shown(page).includes('agent_completed'));
      page.close();
    }));

  it('login-rejects-callback: the callback sends the user back to /login with the error', () =>
    withFault('none', async (platform) => {
      const token = await tokenFor(platform);
      for (const fault of ['none', 'login-rejects-callback']) {
        await setPlatformFault(platform.urls, fault);
        const page = await PageSandbox.open(platform.urls.frontend, `/auth/callback?token=${token}`);
        const away = page.navigations.find((n) => n.how === 'replace');
        if (fault === 'none') assert.equal(away?.url, '/');
        else assert.equal(away?.url, `/login?error=${encodeURIComponent('Sign-in failed: access denied')}`);
        page.close();
      }
    }));
});
