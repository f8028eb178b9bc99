/**
 * A loopback webhook for the self-tests: it records every POST, and answers as its path says.
 * `<url>/ok/...` answers 200; `<url>/failing/...` answers 500 to its first request and never
 * answers the next ones (a timeout). Each URL ends in a random secret, as a Slack webhook does.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type HookBehaviour = 'ok' | 'failing';

export interface WebhookRecorder {
  /** A fresh secret URL that behaves as `behaviour`. */
  url: (behaviour: HookBehaviour) => string;
  /** The bodies posted to `url`, in order. */
  received: (url: string) => string[];
  close: () => Promise<void>;
}

export async function startWebhookRecorder(): Promise<WebhookRecorder> {
  const posts = new Map<string, string[]>();
  const hanging: ServerResponse[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => {
      body += chunk;
    });
    request.on('end', () => {
      const path = request.url ?? '/';
      const seen = posts.get(path) ?? [];
      seen.push(body);
      posts.set(path, seen);
      if (path.startsWith('/ok/')) response.writeHead(200).end('ok');
      else if (seen.length === 1) response.writeHead(500).end('no');
      else hanging.push(response);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: (behaviour) => `${base}/${behaviour}/services/T${randomBytes(16).toString('hex')}`,
    received: (url) => posts.get(new URL(url).pathname) ?? [],
    close: () =>
      new Promise<void>((resolve) => {
        for (const response of hanging) response.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
