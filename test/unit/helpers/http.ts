/** Tiny loopback HTTP servers on port 0 for probe and token tests. */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Stub {
  url: string;
  close: () => Promise<void>;
}

export type Handler = (request: IncomingMessage, response: ServerResponse, body: string) => void;

/** Serve `handler` on 127.0.0.1 at a free port; `close` also drops kept-alive and pending answers. */
export async function serve(handler: Handler): Promise<Stub> {
  const server = createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => {
      body += chunk;
    });
    request.on('end', () => handler(request, response, body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A loopback port with nothing listening on it. */
export async function closedPort(): Promise<number> {
  const stub = await serve(() => undefined);
  await stub.close();
  return Number(new URL(stub.url).port);
}

export function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}

/** Answer after `ms`, unless the connection is gone by then. */
export function later(response: ServerResponse, ms: number, answer: () => void): void {
  const timer = setTimeout(() => {
    if (!response.destroyed) answer();
  }, ms);
  timer.unref();
  response.on('close', () => clearTimeout(timer));
}
