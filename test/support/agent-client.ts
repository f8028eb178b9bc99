/**
 * A bare agent-socket client for the platform's own behaviour tests: tokens from test-auth, a
 * `/ws` socket that records every frame with its arrival time, and waits that end on evidence
 * (a frame, a close) or a deadline, never on a sleep.
 */
import { generateKeyPair, SignJWT } from 'jose';
import { request } from 'undici';
import WebSocket from 'ws';
import { PLATFORM_DEFAULTS } from './platform.ts';

export interface Frame {
  type?: string;
  run_id?: string;
  thread_id?: string;
  user_id?: string;
  payload?: Record<string, unknown>;
  [key: string]: unknown;
}

export interface Arrival {
  frame: Frame;
  atMs: number;
}

export interface Closed {
  code: number;
  reason: string;
}

/** A token body from test-auth (`extra` e.g. `{expires_in: -60}`). */
export async function testAuth(
  authUrl: string,
  email: string,
  extra: Record<string, unknown> = {},
): Promise<{ access_token: string; user: { id: string } }> {
  const response = await request(`${authUrl}/auth/e2e/test-auth`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-e2e-bypass-key': PLATFORM_DEFAULTS.bypassKey },
    body: JSON.stringify({ email, ...extra }),
  });
  const body = (await response.body.json()) as { access_token: string; user: { id: string } };
  if (response.statusCode !== 200) throw new Error(`test-auth ${email}: ${response.statusCode}`);
  return body;
}

export class AgentClient {
  readonly arrivals: Arrival[] = [];
  /** Resolves with the HTTP status of a refused upgrade, or 101 once open. */
  readonly upgrade: Promise<number>;
  readonly closed: Promise<Closed>;
  private readonly ws: WebSocket;
  private readonly waiters = new Set<() => void>();

  constructor(wsUrl: string, token: string | undefined) {
    const protocols = token === undefined ? ['jwt-auth'] : ['jwt-auth', `jwt.${token}`];
    this.ws = new WebSocket(wsUrl, protocols);
    this.upgrade = new Promise((resolve) => {
      this.ws.once('open', () => resolve(101));
      this.ws.once('unexpected-response', (_req, res) => {
        resolve(res.statusCode ?? 0);
        res.resume();
        this.ws.terminate();
      });
    });
    this.closed = new Promise((resolve) => {
      this.ws.on('close', (code, reason) => {
        resolve({ code, reason: reason.toString() });
        this.notify();
      });
    });
    this.ws.on('error', () => undefined);
    this.ws.on('message', (data, isBinary) => {
      if (isBinary) return;
      this.arrivals.push({ frame: JSON.parse(data.toString()) as Frame, atMs: Date.now() });
      this.notify();
    });
  }

  get frames(): Frame[] {
    return this.arrivals.map((arrival) => arrival.frame);
  }

  get isOpen(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  send(content: string, threadId = crypto.randomUUID()): void {
    this.ws.send(JSON.stringify({ type: 'user_message', payload: { content, thread_id: threadId } }));
  }

  /** The first arrival matching `match`, waiting for it until `timeoutMs`. */
  waitFor(match: (frame: Frame, index: number) => boolean, what: string, timeoutMs = 8000): Promise<Arrival> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const index = this.arrivals.findIndex((arrival, i) => match(arrival.frame, i));
        const found = this.arrivals[index];
        if (found) {
          done();
          resolve(found);
        } else if (this.ws.readyState === WebSocket.CLOSED) {
          done();
          reject(new Error(`socket closed before ${what}; got ${this.typeList()}`));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`no ${what} within ${timeoutMs} ms; got ${this.typeList()}`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      this.waiters.add(check);
      check();
    });
  }

  /** The index of the first frame of `type` (and run), waiting for it. */
  async indexOf(type: string, runId?: string, timeoutMs?: number): Promise<number> {
    const found = await this.waitFor(
      (frame) => frame.type === type && (runId === undefined || frame.run_id === runId),
      `${type}${runId ? ` of ${runId}` : ''}`,
      timeoutMs,
    );
    return this.arrivals.indexOf(found);
  }

  /** Sends a message and resolves with the run's agent_completed arrival. */
  async run(content: string): Promise<{ runId: string; completed: Arrival }> {
    const before = this.arrivals.length;
    this.send(content);
    const started = await this.waitFor(
      (frame, i) => i >= before && frame.type === 'agent_started',
      'agent_started',
    );
    const runId = String(started.frame.run_id);
    const completed = await this.waitFor(
      (frame) => frame.type === 'agent_completed' && frame.run_id === runId,
      `agent_completed of ${runId}`,
    );
    return { runId, completed };
  }

  /** The first frame carrying a run_id (any run's) that arrives after `arrival`. */
  runFrameAfter(arrival: Arrival, timeoutMs?: number): Promise<Arrival> {
    const after = this.arrivals.indexOf(arrival);
    return this.waitFor(
      (frame, i) => i > after && frame.run_id !== undefined,
      'a run frame after',
      timeoutMs,
    );
  }

  close(): void {
    this.ws.close(1000);
  }

  private notify(): void {
    for (const waiter of [...this.waiters]) waiter();
  }

  private typeList(): string {
    return this.frames.map((frame) => frame.type).join(', ') || 'nothing';
  }
}

/** A socket that is open and authenticated (connection_established seen). */
export async function establishedClient(wsUrl: string, token: string | undefined): Promise<AgentClient> {
  const client = new AgentClient(wsUrl, token);
  await client.waitFor((frame) => frame.type === 'connection_established', 'connection_established');
  return client;
}

/** The kinds of bad credential the auth spec presents, each made the way a client would get it. */
export async function badCredentials(authUrl: string, email: string) {
  const expired = (await testAuth(authUrl, email, { expires_in: -60 })).access_token;
  const { privateKey } = await generateKeyPair('ES256');
  const foreign = await new SignJWT({ email })
    .setProtectedHeader({ alg: 'ES256', kid: 'not-published' })
    .setSubject((await testAuth(authUrl, email)).user.id)
    .setIssuer('golden-path-reference-auth')
    .setAudience('golden-path')
    .setIssuedAt()
    .setExpirationTime('5m')
    .sign(privateKey);
  return {
    'no-token': undefined,
    'garbage-token': `not-a-jwt.${crypto.randomUUID()}`,
    'expired-token': expired,
    'foreign-key': foreign,
  } as const;
}
