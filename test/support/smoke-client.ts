/**
 * A bare client of the platform contract, for the platform's smoke check (platform/smoke.ts):
 * plain HTTP and a `ws` socket, none of the harness, so that the check proves the platform
 * and not the harness's reading of it. Waits are driven by arriving frames, with a deadline.
 */
import WebSocket from 'ws';
import { AGENT_EVENTS } from '../../harness/config.ts';
import { PLATFORM_DEFAULTS, type RunningPlatform, startPlatform } from './platform.ts';

export type Frame = Record<string, unknown> & {
  type?: string;
  run_id?: string;
  payload?: Record<string, unknown>;
};

export function need<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`${what} missing`);
  return value;
}

export async function getJson(url: string): Promise<{ status: number; body: unknown }> {
  const res = await fetch(url);
  const text = await res.text();
  try {
    return { status: res.status, body: JSON.parse(text) };
  } catch {
    return { status: res.status, body: text };
  }
}

export async function postJson(
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

export const bypass = { 'x-e2e-bypass-key': PLATFORM_DEFAULTS.bypassKey };

export async function testAuth(
  authUrl: string,
  email = 'alice@example.test',
  extra: Record<string, unknown> = {},
) {
  const res = await postJson(`${authUrl}/auth/e2e/test-auth`, { email, ...extra }, bypass);
  if (res.status !== 200) throw new Error(`test-auth answered ${res.status}`);
  return res.body as { access_token: string; refresh_token: string; user: { id: string; email: string } };
}

export interface OpenSocket {
  ws: WebSocket;
  frames: Frame[];
  binaryFrames: number;
  closed: Promise<{ code: number; reason: string }>;
  /** Resolves as soon as `predicate` holds for the frames so far; fails after `timeoutMs`. */
  until: (predicate: () => boolean, timeoutMs: number, what: string) => Promise<void>;
}

export interface Upgrade {
  socket?: OpenSocket;
  status?: number;
  body?: string;
  timedOut?: boolean;
  failed?: boolean;
}

function openSocket(ws: WebSocket): OpenSocket {
  const socket: OpenSocket = {
    ws,
    frames: [],
    binaryFrames: 0,
    closed: new Promise((resolve) =>
      ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    ),
    until: (predicate, timeoutMs, what) =>
      new Promise((resolve, reject) => {
        if (predicate()) return resolve();
        const timer = setTimeout(() => {
          ws.off('message', look);
          reject(new Error(`timed out waiting for ${what}`));
        }, timeoutMs);
        const look = () => {
          if (!predicate()) return;
          clearTimeout(timer);
          ws.off('message', look);
          resolve();
        };
        ws.on('message', look);
      }),
  };
  ws.on('message', (data, isBinary) => {
    if (isBinary) socket.binaryFrames += 1;
    else socket.frames.push(JSON.parse(data.toString()) as Frame);
  });
  return socket;
}

/** Resolves once the upgrade is answered: an open socket, or the HTTP status it was refused with. */
export function connect(
  url: string,
  options: { token?: string; bearer?: string; timeoutMs?: number } = {},
): Promise<Upgrade> {
  const protocols = options.token !== undefined ? ['jwt-auth', `jwt.${options.token}`] : undefined;
  const headers = options.bearer !== undefined ? { authorization: `Bearer ${options.bearer}` } : undefined;
  const ws = new WebSocket(url, protocols, { headers });
  const socket = openSocket(ws);
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
      res.on('data', (chunk: Buffer) => {
        body += chunk.toString();
      });
      res.on('end', () => resolve({ status: res.statusCode, body }));
    });
    // A refusal also ends in an error, after its response: the response's answer wins.
    ws.on('error', () => {
      clearTimeout(timer);
      ws.once('close', () => resolve({ failed: true }));
    });
  });
}

export function agentFrames(frames: Frame[]): Frame[] {
  return frames.filter(
    (f) => typeof f.type === 'string' && (AGENT_EVENTS as readonly string[]).includes(f.type),
  );
}

export const typesOf = (frames: Frame[]): string[] => agentFrames(frames).map((f) => f.type as string);

const LETTER: Record<string, string> = {
  agent_started: 'S',
  agent_thinking: 'T',
  tool_executing: 'E',
  tool_completed: 'C',
};

/** started, one or more thinking, one or more executing/completed pairs, completed. */
export const isGoldenOrder = (types: string[]): boolean =>
  /^S(T)+(EC)+D$/.test(types.map((type) => LETTER[type] ?? 'D').join(''));

export async function openAuthed(p: RunningPlatform, email = 'alice@example.test') {
  const tokens = await testAuth(need(p.urls.auth, 'auth url'), email);
  const result = await connect(need(p.urls.ws, 'ws url'), { token: tokens.access_token });
  const socket = need(result.socket, `socket (refused ${result.status})`);
  await socket.until(
    () => socket.frames.some((f) => f.type === 'connection_established'),
    3000,
    'connection_established',
  );
  return { socket, tokens };
}

export function send(socket: OpenSocket, content: string, threadId = 'thread-smoke'): void {
  socket.ws.send(JSON.stringify({ type: 'user_message', payload: { content, thread_id: threadId } }));
}

/** Sends a message and waits until `until` holds (default: an agent_completed arrived); the new frames. */
export async function runOnce(socket: OpenSocket, content: string, until?: () => boolean, timeoutMs = 5000) {
  const before = socket.frames.length;
  send(socket, content);
  const completed = () => socket.frames.slice(before).some((f) => f.type === 'agent_completed');
  await socket.until(until ?? completed, timeoutMs, 'run');
  return socket.frames.slice(before);
}

/** A platform for the smoke check: short runs, and no fault unless a check asks for one. */
export const startSmokePlatform = (env: Record<string, string> = {}) =>
  startPlatform({ PLATFORM_RUN_MS: '300', PLATFORM_FAULT: '', ...env });

export async function withPlatform(
  env: Record<string, string>,
  body: (p: RunningPlatform) => Promise<void>,
): Promise<void> {
  const platform = await startSmokePlatform(env);
  try {
    await body(platform);
  } finally {
    await platform.stop();
  }
}

export const field = (body: unknown, key: string) => (body as Record<string, unknown>)[key];
