/** The reference platform's faults behave in the netra dialect as in the contract's. */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
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
} from '../support/netra-client.ts';
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
