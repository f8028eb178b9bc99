/** For the netra-dialect self-tests: HTTP and `ws` clients of the reference platform speaking netra. */
import assert from 'node:assert/strict';
import { request } from 'undici';
import { WebSocket } from 'ws';
import { AGENT_EVENTS as HARNESS_AGENT_EVENTS } from '../../harness/config.ts';
import { PLATFORM_DEFAULTS, type RunningPlatform } from './platform.ts';

export const NETRA = { PLATFORM_DIALECT: 'netra', PLATFORM_RUN_MS: '200', PLATFORM_FAULT_DELAY_MS: '400' };
export const SECRET = new TextEncoder().encode('local-netra-jwt-secret-0123456789abcdef');
/** The five agent events, in order (the harness's own list: the platform speaks the same five). */
export const AGENT_EVENTS: readonly string[] = HARNESS_AGENT_EVENTS;
export type Frame = Record<string, unknown> & { type: string };
export type Json = Record<string, unknown>;

export async function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await request(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: res.statusCode, body: (await res.body.json()) as Json };
}

export async function get(url: string) {
  const res = await request(url);
  const text = await res.body.text();
  return { status: res.statusCode, text, body: (text.startsWith('{') ? JSON.parse(text) : {}) as Json };
}

export async function tokenFor(platform: RunningPlatform, email = 'alice@example.test'): Promise<string> {
  const answer = await post(
    `${platform.urls.auth}/auth/e2e/test-auth`,
    { email },
    { 'x-e2e-bypass-key': PLATFORM_DEFAULTS.bypassKey },
  );
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  return String(answer.body.access_token);
}

export const subprotocols = (token: string) => [
  'jwt-auth',
  `jwt.${Buffer.from(token).toString('base64url')}`,
];

/** A socket that keeps every text frame; `until` waits for one that fits, `closed` for the close. */
export function open(url: string, protocols: string[]) {
  const ws = new WebSocket(url, protocols);
  const frames: Frame[] = [];
  const waiters: (() => void)[] = [];
  ws.on('message', (data, binary) => {
    if (!binary) frames.push(JSON.parse(data.toString()) as Frame);
    for (const wake of waiters.splice(0)) wake();
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  ws.on('error', () => undefined);
  const until = async (fits: (frames: Frame[]) => boolean): Promise<Frame[]> => {
    let done = false;
    void closed.then(() => {
      done = true;
      for (const wake of waiters.splice(0)) wake();
    });
    while (!fits(frames)) {
      if (done) throw new Error(`socket closed before the frames expected; got ${JSON.stringify(frames)}`);
      await new Promise<void>((wake) => waiters.push(wake));
    }
    return frames;
  };
  return { ws, frames, closed, until };
}

export const completions = (frames: Frame[]) => frames.filter((f) => f.type === 'agent_completed').length;
export const welcomed = (frames: Frame[]) =>
  frames.some(
    (f) => f.type === 'connection_established' || (f.type === 'system_message' && (f.data as Json)?.event),
  );
export const runOf = (f: Frame) => String((f.data as Json | undefined)?.run_id ?? f.run_id);

/** A signed-in socket that asked for one run and saw it through to its (repeated) agent_completed. */
export async function oneRun(platform: RunningPlatform, content = 'Hello there') {
  const socket = open(platform.urls.ws, subprotocols(await tokenFor(platform)));
  await socket.until(welcomed);
  const threadId = 'thread-1';
  socket.ws.send(
    JSON.stringify({
      type: 'start_agent',
      payload: { user_request: content, thread_id: threadId, context: {}, settings: {} },
    }),
  );
  return { socket, threadId };
}
