/**
 * `/ws`: authenticates the upgrade, refuses with a real HTTP status, then turns each
 * `user_message` into an agent run on that socket only. Also applies the socket faults.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { type RawData, WebSocket, WebSocketServer } from 'ws';
import { executeRun } from './agent-run.ts';
import type { PlatformConfig } from './config.ts';
import type { Logger } from './log.ts';
import type { RunRegistry } from './run-registry.ts';
import type { ClientMessage, SocketDialect } from './socket-dialect.ts';
import type { TokenVerifier, VerifiedUser } from './token-verifier.ts';
import type { UserDirectory } from './users.ts';
import { refuseUpgrade, selectSubprotocol, tokenFromUpgrade } from './ws-handshake.ts';

export const HEARTBEAT_MS = 15_000;
const MAX_CONTENT_CHARS = 10_000;
const LEAKED_CONTENT = 'Summarise my private notes from yesterday.';

interface Connection {
  connectionId: string;
  userId: string;
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
    const onError = () => socket.destroy();
    socket.on('error', onError);
    const refuse = (status: number, detail: string) => {
      registry.stats.refused += 1;
      log(`socket refused at the upgrade: ${status} ${detail}`);
      refuseUpgrade(socket, status, detail);
    };

    if (config.fault === 'ws-upgrade-403') return refuse(403, 'forbidden');
    if (config.fault === 'ws-handshake-hang') {
      this.hanging.add(socket);
      socket.once('close', () => this.hanging.delete(socket));
      log('socket handshake left unanswered (fault ws-handshake-hang)');
      return;
    }
    if (this.options.dialect !== undefined)
      return this.acceptThenAuthenticate(req, socket, head, this.options.dialect);
    const token = tokenFromUpgrade(req);
    if (token === undefined) return refuse(401, 'missing token');
    const verdict = await this.options.verify(token);
    if (!verdict.ok) return refuse(verdict.status, verdict.detail);
    if (socket.destroyed) return;
    socket.off('error', onError);
    this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws, verdict.user));
  }

  /** The order of a dialect that authenticates an open socket, refusing with a frame and a close. */
  private async acceptThenAuthenticate(
    req: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    dialect: SocketDialect,
  ): Promise<void> {
    const { registry, log } = this.options;
    const token = dialect.tokenFromUpgrade(req);
    const ws = await new Promise<WebSocket>((resolve) => this.wss.handleUpgrade(req, socket, head, resolve));
    ws.on('error', () => ws.terminate());
    const verdict = token === undefined ? undefined : await dialect.verify(token);
    if (verdict?.ok) return this.accept(ws, verdict.user, req);
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

  private accept(ws: WebSocket, user: VerifiedUser, req?: IncomingMessage): void {
    const { config, registry, log, dialect } = this.options;
    ws.on('error', () => ws.terminate());
    if (config.fault === 'ws-close-1008' || config.fault === 'ws-close-1011') {
      registry.stats.refused += 1;
      const [code, reason] =
        config.fault === 'ws-close-1008'
          ? ([1008, 'auth failed: token expired'] as const)
          : ([1011, 'auth failed: auth service unavailable'] as const);
      log(`socket accepted then closed ${code} (fault ${config.fault})`);
      if (dialect !== undefined && req !== undefined)
        dialect.refuse(ws, { code: 'AUTH_FAILED', message: reason, closeCode: code }, req);
      else ws.close(code, reason);
      return;
    }

    const connection: Connection = {
      connectionId: `conn_${randomBytes(6).toString('hex')}`,
      userId: user.userId,
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
    }, HEARTBEAT_MS);

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
    this.startRun(ws, connection, content, read.threadId ?? randomUUID());
  }

  private startRun(ws: WebSocket, connection: Connection, content: string, threadId: string): void {
    const { config, registry, users, log } = this.options;
    const first = connection.runs === 0;
    connection.runs += 1;
    const common = {
      ws,
      signal: connection.abort.signal,
      registry,
      connectionId: connection.connectionId,
      runMs: config.runMs,
      runShape: config.runShape,
      fault: config.fault,
      faultDelayMs: config.faultDelayMs,
      floodFrames: config.floodFrames,
      ...(this.options.dialect ? { events: this.options.dialect.events } : {}),
    };
    const run = executeRun({
      ...common,
      userId: connection.userId,
      threadId,
      content,
      terminateAfterToolExecuting: first && config.fault === 'ws-close-mid-run',
    });
    log(`run started on ${connection.connectionId} for ${connection.userId}`);
    run.then(
      (record) => log(`run ${record.run_id} ${record.status} (${record.events.length} agent events)`),
      (err: unknown) => log(`run failed: ${err instanceof Error ? err.message : String(err)}`),
    );

    if (config.fault === 'cross-user-leak') {
      const other = users.all().find((u) => u.id !== connection.userId)?.id ?? 'usr_intruder';
      executeRun({
        ...common,
        userId: other,
        threadId: randomUUID(),
        content: LEAKED_CONTENT,
        terminateAfterToolExecuting: false,
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
