/** Small helpers shared by the three node:http services, and the listeners they are mounted on. */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';

export type Headers = Record<string, string>;

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Headers = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    ...headers,
  });
  res.end(text);
}

export function sendText(
  res: ServerResponse,
  status: number,
  text: string,
  contentType = 'text/plain; charset=utf-8',
  headers: Headers = {},
): void {
  res.writeHead(status, {
    'content-type': contentType,
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    ...headers,
  });
  res.end(text);
}

export class BodyError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'BodyError';
  }
}

/** Reads a JSON object body (at most `limit` bytes). Throws BodyError with a 4xx status. */
export async function readJsonObject(
  req: IncomingMessage,
  limit = 64 * 1024,
): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > limit) throw new BodyError(413, 'request body too large');
    chunks.push(buf);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new BodyError(400, 'request body is not valid JSON');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new BodyError(400, 'request body must be a JSON object');
  }
  return parsed as Record<string, unknown>;
}

/** Path of a request URL without the query string. */
export function pathOf(req: IncomingMessage): string {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

export function listen(server: Server, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve(server.address() as AddressInfo);
    });
  });
}

export function originFor(scheme: 'http' | 'https' | 'ws' | 'wss', host: string, port: number): string {
  const h = host.includes(':') ? `[${host}]` : host;
  return `${scheme}://${h}:${port}`;
}

/** Closes the server and drops its idle and active HTTP connections. */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** `route` under a base URL whose path is kept (`new URL('/x', base)` would drop it). */
export function underBase(base: string, route: string): string {
  return `${base.replace(/\/+$/, '')}/${route.replace(/^\/+/, '')}`;
}

/** What a service hands to the listener it is mounted on. */
export interface ServiceHandlers {
  request(req: IncomingMessage, res: ServerResponse): void;
  upgrade?(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  close?(): void;
}

/** What every started service hands back to main. */
export interface RunningService {
  url: string;
  close(): Promise<void>;
}

/**
 * One listening port (http, or https when given a certificate), serving every service mounted
 * on it under its path prefix. A request goes to the longest prefix it is under, with the prefix
 * taken off its URL, so a service sees the same paths at `/identity` as at the root.
 */
export interface Listener {
  /** `http(s)://host:port` */
  origin: string;
  /** `ws(s)://host:port` */
  wsOrigin: string;
  mount(prefix: string, service: ServiceHandlers): void;
  close(): Promise<void>;
}

export interface TlsFiles {
  cert: string;
  key: string;
}

export async function openListener(host: string, port: number, tls: TlsFiles | undefined): Promise<Listener> {
  const mounts: { prefix: string; service: ServiceHandlers }[] = [];
  const find = (req: IncomingMessage) => {
    const path = pathOf(req);
    const mount = mounts.find(
      ({ prefix }) => prefix === '' || path === prefix || path.startsWith(`${prefix}/`),
    );
    if (mount && mount.prefix !== '') req.url = (req.url ?? '/').slice(mount.prefix.length) || '/';
    return mount?.service;
  };
  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    const service = find(req);
    if (service) service.request(req, res);
    else sendJson(res, 404, { detail: 'Not Found' });
  };
  const server = tls ? createTlsServer({ cert: tls.cert, key: tls.key }, onRequest) : createServer(onRequest);
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const service = find(req);
    if (service?.upgrade) service.upgrade(req, socket, head);
    else {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    }
  });
  const address = await listen(server, port, host);
  return {
    origin: originFor(tls ? 'https' : 'http', host, address.port),
    wsOrigin: originFor(tls ? 'wss' : 'ws', host, address.port),
    mount(prefix, service) {
      mounts.push({ prefix, service });
      // Longest prefix first; the root (empty prefix) last.
      mounts.sort((a, b) => b.prefix.length - a.prefix.length);
    },
    async close() {
      for (const { service } of mounts) service.close?.();
      await closeServer(server);
    },
  };
}
