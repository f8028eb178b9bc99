/**
 * `/ws`: authenticates the upgrade, refuses with a real HTTP status, then turns each
 * `user_message` into an agent run on that socket only. Also applies the socket faults.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { type RawData, WebSocket, WebSocketServer } from 'ws';
import { afterCompletion } from './after-completion.ts';
import { executeRun } from './agent-run.ts';
import type { PlatformConfig } from './config.ts';
import type { FaultName } from './faults.ts';
import { laxUser } from './lax-credentials.ts';
import type { Logger } from './log.ts';
import type { RunRegistry } from './run-registry.ts';
import type { ClientMessage, SocketDialect } from './socket-dialect.ts';
import type { TokenVerifier, VerifiedUser } from './token-verifier.ts';
import type { UserDirectory } from './users.ts';
import { refuseUpgrade, selectSubprotocol, tokenFromUpgrade } from './ws-handshake.ts';

const MAX_CONTENT_CHARS = 10_000;
const LEAKED_CONTENT = 'Summarise my private notes from yesterday.';

/** Faults that close an authenticated socket when its first message arrives, instead of a run. */
const CLOSES_ON_MESSAGE: Partial<Record<string, { code: number; reason: string }>> = {
  'ws-revoke-on-message': { code: 1008, reason: 'auth failed: session revoked' },
  'ws-rate-limit-on-message': { code: 1008, reason: 'rate limit exceeded' },
};

/** Faults that end the first run on each socket right after its first tool_executing. */
const MID_RUN_CLOSES: Partial<Record<string, 'terminate' | 'close-1000'>> = {
  'ws-close-mid-run': 'terminate',
  'ws-close-1000-mid-run': 'close-1000',
};

interface Connection {
  connectionId: string;
  userId: string;
  /** The process's fault when the socket was accepted: a switch applies to later sockets. */
  fault: FaultName | undefined;
  runs: number;
  abort: AbortController;
}

export interface GatewayOptions {
  config: PlatformConfig;
  verify: TokenVerifier;
  registry: RunRegistry;
  users: UserDirectory;
  log: Logger;
  /** A dialect's socket (netra: accept first, then authenticate); absent, the contract's. */
  dialect?: SocketDialect;
}

/** The contract's client message: `user_message` with `payload.content` and `payload.thread_id`. */
function contractMessage(message: Record<string, unknown>): ClientMessage {
  const { type, payload } = message as { type?: unknown; payload?: unknown };
  if (type !== 'user_message') return undefined;
  const body = (typeof payload === 'object' && payload !== null ? payload : {}) as Record<string, unknown>;
  const content = typeof body.content === 'string' ? body.content.trim() : '';
  const threadId = typeof body.thread_id === 'string' && body.thread_id !== '' ? body.thread_id : undefined;
  return { content, threadId };
}

export class AgentSocketGateway {
  private readonly wss = new WebSocketServer({
    noServer: true,
    maxPayload: 64 * 1024,
    handleProtocols: (protocols) => selectSubprotocol(protocols),
  });
  private readonly connections = new Map<WebSocket, Connection>();
  private readonly hanging = new Set<Duplex>();

  constructor(private readonly options: GatewayOptions) {}

  get openCount(): number {
    return this.connections.size;
  }

  async handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const { config, registry, log } = this.options;
    const fault = config.fault;
    const onError = () => socket.destroy();
    socket.on('error', onError);
    const refuse = (status: number, detail: string) => {
      registry.stats.refused += 1;
      log(`socket refused at the upgrade: ${status} ${detail}`);
      refuseUpgrade(socket, status, detail);
    };

    if (fault === 'ws-upgrade-403') return refuse(403, 'forbidden');
    if (fault === 'ws-handshake-hang') {
      this.hanging.add(socket);
      socket.once('close', () => this.hanging.delete(socket));
      log('socket handshake left unanswered (fault ws-handshake-hang)');
      return;
    }
    if (this.options.dialect !== undefined)
      return this.acceptThenAuthenticate(req, socket, head, this.options.dialect, fault);
    const token = tokenFromUpgrade(req);
    const verdict =
      token === undefined
        ? ({ ok: false, status: 401, detail: 'missing token' } as const)
        : await this.options.verify(token);
    let user: VerifiedUser;
    if (verdict.ok) {
      user = verdict.user;
    } else {
      const lax = laxUser(fault, token, token === undefined ? '' : verdict.detail);
      if (lax === undefined) return refuse(verdict.status, verdict.detail);
      registry.stats.bad_credentials_accepted += 1;
      log(`socket with a bad credential (${verdict.detail}) accepted as ${lax.userId} (fault ${fault})`);
      user = lax;
    }
    if (socket.destroyed) return;
    socket.off('error', onError);
    this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws, user, fault));
  }

  /** The order of a dialect that authenticates an open socket, refusing with a frame and a close. */
  private async acceptThenAuthenticate(
    req: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    dialect: SocketDialect,
    fault: FaultName | undefined,
  ): Promise<void> {
    const { registry, log } = this.options;
    const token = dialect.tokenFromUpgrade(req);
    const ws = await new Promise<WebSocket>((resolve) => this.wss.handleUpgrade(req, socket, head, resolve));
    ws.on('error', () => ws.terminate());
    const verdict = token === undefined ? undefined : await dialect.verify(token);
    if (verdict?.ok) return this.accept(ws, verdict.user, fault, req);
    const lax = laxUser(fault, token, verdict?.detail ?? '');
    if (lax !== undefined) {
      registry.stats.bad_credentials_accepted += 1;
      log(`socket with a bad credential accepted as ${lax.userId} (fault ${fault})`);
      return this.accept(ws, lax, fault, req);
    }
    registry.stats.refused += 1;
    const detail =
      verdict === undefined ? 'No JWT token found in WebSocket headers or subprotocols' : verdict.detail;
    log(`socket refused after accept: ${detail}`);
    dialect.refuse(
      ws,
      { code: verdict === undefined ? 'NO_TOKEN' : 'AUTH_FAILED', message: detail, closeCode: 1008 },
      req,
    );
  }

  private accept(
    ws: WebSocket,
    user: VerifiedUser,
    fault: FaultName | undefined,
    req?: IncomingMessage,
  ): void {
    const { config, registry, log, dialect } = this.options;
    ws.on('error', () => ws.terminate());
    if (fault === 'ws-close-1008' || fault === 'ws-close-1011') {
      registry.stats.refused += 1;
      const [code, reason] =
        fault === 'ws-close-1008'
          ? ([1008, 'auth failed: token expired'] as const)
          : ([1011, 'auth failed: auth service unavailable'] as const);
      log(`socket accepted then closed ${code} (fault ${fault})`);
      if (dialect !== undefined && req !== undefined)
        dialect.refuse(ws, { code: 'AUTH_FAILED', message: reason, closeCode: code }, req);
      else ws.close(code, reason);
      return;
    }

    const connection: Connection = {
      connectionId: `conn_${randomBytes(6).toString('hex')}`,
      userId: user.userId,
      fault,
      runs: 0,
      abort: new AbortController(),
    };
    this.connections.set(ws, connection);
    registry.stats.connections_total += 1;
    registry.stats.connections_open = this.connections.size;
    log(`socket accepted ${connection.connectionId} for ${user.userId} (${this.connections.size} open)`);

    const welcome = dialect?.welcome(connection) ?? {
      type: 'connection_established',
      user_id: user.userId,
      connection_id: connection.connectionId,
    };
    ws.send(JSON.stringify(welcome));
    const heartbeat = setInterval(() => {
      if (ws.readyState === WebSocket.OPEN)
        ws.send(JSON.stringify({ type: 'heartbeat', timestamp: Date.now() }));
    }, config.volume.heartbeatMs);

    ws.on('message', (data, isBinary) => this.onMessage(ws, connection, data, isBinary));
    ws.on('close', (code) => {
      clearInterval(heartbeat);
      connection.abort.abort();
      this.connections.delete(ws);
      registry.stats.connections_open = this.connections.size;
      log(`socket closed ${connection.connectionId} code ${code} (${this.connections.size} open)`);
    });
  }

  private onMessage(ws: WebSocket, connection: Connection, data: RawData, isBinary: boolean): void {
    if (isBinary) return;
    let message: unknown;
    try {
      message = JSON.parse(data.toString());
    } catch {
      ws.send(JSON.stringify({ type: 'error', payload: { detail: 'frame is not valid JSON' } }));
      return;
    }
    if (typeof message !== 'object' || message === null) return;
    const read = (this.options.dialect?.clientMessage ?? contractMessage)(message as Record<string, unknown>);
    if (read === undefined) return;
    if ('reply' in read) {
      ws.send(JSON.stringify(read.reply));
      return;
    }
    const { content } = read;
    if (content === '' || content.length > MAX_CONTENT_CHARS) {
      ws.send(
        JSON.stringify({
          type: 'error',
          payload: { detail: `content must be 1 to ${MAX_CONTENT_CHARS} characters` },
        }),
      );
      return;
    }
    const closing = CLOSES_ON_MESSAGE[connection.fault ?? ''];
    if (closing !== undefined) {
      this.options.log(`socket closed ${closing.code} on the first message (fault ${connection.fault})`);
      ws.close(closing.code, closing.reason);
      return;
    }
    this.startRun(ws, connection, content, read.threadId ?? randomUUID());
  }

  /** A seeded user other than `userId`, for the faults that leak another user's run. */
  private otherUser(userId: string): string {
    return this.options.users.all().find((u) => u.id !== userId)?.id ?? 'usr_intruder';
  }

  private startRun(ws: WebSocket, connection: Connection, content: string, threadId: string): void {
    const { config, registry, log } = this.options;
    const first = connection.runs === 0;
    connection.runs += 1;
    const common = {
      ws,
      signal: connection.abort.signal,
      registry,
      connectionId: connection.connectionId,
      runMs: config.runMs,
      runShape: config.runShape,
      fault: connection.fault,
      faultDelayMs: config.faultDelayMs,
      floodFrames: config.floodFrames,
      volume: config.volume,
      ...(this.options.dialect ? { events: this.options.dialect.events } : {}),
    };
    const run = executeRun({
      ...common,
      userId: connection.userId,
      threadId,
      content,
      ...(first ? { afterToolExecuting: MID_RUN_CLOSES[connection.fault ?? ''] } : {}),
    });
    log(`run started on ${connection.connectionId} for ${connection.userId}`);
    run.then(
      (record) => {
        log(`run ${record.run_id} ${record.status} (${record.events.length} agent events)`);
        afterCompletion({
          ws,
          signal: connection.abort.signal,
          registry,
          record,
          fault: connection.fault,
          closeAfterRun: config.backendShapes.includes('server-close-after-run'),
          otherUserId: this.otherUser(connection.userId),
          log,
        });
      },
      (err: unknown) => log(`run failed: ${err instanceof Error ? err.message : String(err)}`),
    );

    if (connection.fault === 'cross-user-leak') {
      const other = this.otherUser(connection.userId);
      executeRun({
        ...common,
        userId: other,
        threadId: randomUUID(),
        content: LEAKED_CONTENT,
        leakedToUserId: connection.userId,
      }).then(
        (record) =>
          log(`leaked run ${record.run_id} of ${other} sent to ${connection.userId} (fault cross-user-leak)`),
        () => undefined,
      );
    }
  }

  /**
   * Terminates open `/ws` sockets abnormally (the client sees 1006): those of `userId` when
   * given, so a test dropping its own user's sockets leaves parallel tests alone; else all.
   */
  dropAll(userId?: string): number {
    const sockets = [...this.connections]
      .filter(([, connection]) => userId === undefined || connection.userId === userId)
      .map(([ws]) => ws);
    for (const ws of sockets) ws.terminate();
    return sockets.length;
  }

  close(): void {
    for (const [ws, connection] of this.connections) {
      connection.abort.abort();
      ws.terminate();
    }
    for (const socket of this.hanging) socket.destroy();
    this.hanging.clear();
    this.wss.close();
  }
}
