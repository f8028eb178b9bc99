/**
 * The bare protocol client: the golden-path journey with no browser and no harness, only
 * undici and `ws`. Token from test-auth → agent socket (Bearer header, or the browser's
 * subprotocols) → the handshake frame → the user's message → the five events. It is the floor the
 * platform itself sets; whatever the harness takes above it is the harness's own cost.
 *
 * As a module: `bareJourney(options)`. As a process (whole-process timing):
 *   node --import tsx bench/bare-client.ts '<json options>'
 * prints one line `BARE_RESULT <json>`.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { request } from 'undici';
import WebSocket from 'ws';
import { AGENT_EVENTS } from '../harness/config.ts';
import { contractDialect, contractMessage } from '../harness/dialects/contract.ts';

/** The contract's five events, from the harness's single definition. */
export const FIVE_EVENTS = AGENT_EVENTS;

export interface BareOptions {
  authUrl: string;
  wsUrl: string;
  bypassKey: string;
  email: string;
  /** How the token travels: `Authorization: Bearer` (default) or the browser's subprotocols. */
  auth?: 'bearer' | 'subprotocol';
  /** Reuse this access token instead of asking test-auth (for counting token calls). */
  accessToken?: string;
  content?: string;
  timeoutMs?: number;
}

export interface BareEvent {
  type: string;
  runId: string | undefined;
  /** ms since the message was sent. */
  ms: number;
  /** Epoch ms when the frame arrived (Date.now(), the clock the platform stamps with). */
  at: number;
}

export interface BareResult {
  ok: boolean;
  error?: string;
  tokenMs: number;
  connectMs: number;
  /** message sent → agent_completed received. */
  runMs: number;
  /** token request → agent_completed received. */
  totalMs: number;
  /** Epoch ms when the message was sent. */
  sentAt: number;
  runId: string | undefined;
  threadId: string;
  framesReceived: number;
  floodFramesReceived: number;
  binaryFrames: number;
  events: BareEvent[];
}

async function testAuthToken(options: BareOptions): Promise<string> {
  const response = await request(`${options.authUrl}/auth/e2e/test-auth`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-e2e-bypass-key': options.bypassKey },
    body: JSON.stringify({ email: options.email }),
  });
  const body = (await response.body.json()) as { access_token?: string };
  if (response.statusCode !== 200 || typeof body.access_token !== 'string') {
    throw new Error(`test-auth answered ${response.statusCode}`);
  }
  return body.access_token;
}

/** Missing types, or the first ordering problem, in one run's events; undefined when sound. */
export function checkRun(types: readonly string[]): string | undefined {
  const missing = FIVE_EVENTS.filter((type) => !types.includes(type));
  if (missing.length > 0) return `missing ${missing.join(', ')}`;
  const firstOf = (type: string) => types.indexOf(type);
  if (firstOf('agent_started') !== 0) return 'agent_started is not first';
  if (types.at(-1) !== 'agent_completed') return 'agent_completed is not last';
  if (firstOf('tool_executing') < firstOf('agent_thinking')) return 'tool_executing before agent_thinking';
  if (firstOf('tool_completed') < firstOf('tool_executing')) return 'tool_completed before tool_executing';
  return undefined;
}

export async function bareJourney(options: BareOptions): Promise<BareResult> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const threadId = randomUUID();
  const t0 = performance.now();
  const result: BareResult = {
    ok: false,
    tokenMs: Number.NaN,
    connectMs: Number.NaN,
    runMs: Number.NaN,
    totalMs: Number.NaN,
    sentAt: Number.NaN,
    runId: undefined,
    threadId,
    framesReceived: 0,
    floodFramesReceived: 0,
    binaryFrames: 0,
    events: [],
  };
  const token = options.accessToken ?? (await testAuthToken(options));
  const t1 = performance.now();
  result.tokenMs = t1 - t0;

  const ws =
    options.auth === 'subprotocol'
      ? new WebSocket(options.wsUrl, ['jwt-auth', `jwt.${token}`])
      : new WebSocket(options.wsUrl, { headers: { authorization: `Bearer ${token}` } });
  let sentPerf = Number.NaN;
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no agent_completed within ${timeoutMs} ms`)),
        timeoutMs,
      );
      const fail = (error: Error) => {
        clearTimeout(timer);
        reject(error);
      };
      ws.on('error', fail);
      ws.on('unexpected-response', (_req, res) => fail(new Error(`upgrade refused: HTTP ${res.statusCode}`)));
      ws.on('close', (code, reason) => fail(new Error(`socket closed ${code} ${reason.toString()}`)));
      ws.on('message', (data, isBinary) => {
        const arrived = performance.now();
        const at = Date.now();
        result.framesReceived += 1;
        if (isBinary) {
          result.binaryFrames += 1;
          return;
        }
        let frame: { type?: unknown; run_id?: unknown; thread_id?: unknown; payload?: unknown };
        try {
          frame = JSON.parse(data.toString());
        } catch {
          return;
        }
        if (contractDialect.handshake(frame)) {
          result.connectMs = arrived - t1;
          result.sentAt = Date.now();
          sentPerf = performance.now();
          ws.send(
            JSON.stringify(contractMessage(options.content ?? 'Which three checks matter most?', threadId)),
          );
          return;
        }
        const payload = frame.payload as { flood_seq?: unknown } | undefined;
        if (frame.type === 'heartbeat' && typeof payload?.flood_seq === 'number') {
          result.floodFramesReceived += 1;
          return;
        }
        if (typeof frame.type !== 'string' || !(FIVE_EVENTS as readonly string[]).includes(frame.type))
          return;
        if (frame.thread_id !== threadId) return;
        const runId = typeof frame.run_id === 'string' ? frame.run_id : undefined;
        result.runId ??= runId;
        result.events.push({ type: frame.type, runId, ms: arrived - sentPerf, at });
        if (frame.type === 'agent_completed') {
          result.runMs = arrived - sentPerf;
          result.totalMs = arrived - t0;
          clearTimeout(timer);
          resolve();
        }
      });
    });
    const problem = checkRun(result.events.map((event) => event.type));
    result.ok = problem === undefined;
    if (problem) result.error = problem;
  } catch (error) {
    result.error = (error as Error).message;
  } finally {
    ws.removeAllListeners('close');
    ws.on('error', () => undefined);
    // Waited for, outside the timing: a close still in flight would run into whatever the bench
    // measures next.
    if (ws.readyState !== ws.CLOSED) {
      const closed = new Promise((resolve) => ws.once('close', resolve));
      ws.close(1000, 'done');
      await closed;
    }
  }
  return result;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  // No top-level await: Playwright may load this module with require() (bench/bare-test.ts).
  const options = JSON.parse(process.argv[2] ?? '{}') as BareOptions;
  void bareJourney(options).then((result) => {
    process.stdout.write(`BARE_RESULT ${JSON.stringify(result)}\n`);
    process.exit(result.ok ? 0 : 1);
  });
}
