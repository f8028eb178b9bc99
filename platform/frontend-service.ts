/** The frontend: static login, callback and chat pages, plus `/config.js` carrying the service URLs. */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import type { PlatformConfig } from './config.ts';
import { frontendPages } from './dialect.ts';
import {
  closeServer,
  listen,
  originFor,
  pathOf,
  type RunningService,
  sendJson,
  sendText,
} from './http-util.ts';
import { createLogger } from './log.ts';

export interface FrontendLinks {
  authUrl: string;
  wsUrl: string;
  presenceUrl: string;
}

const ASSET_DIR = fileURLToPath(new URL('./frontend/', import.meta.url));

const FILES: Record<string, { file: string; type: string }> = {
  '/login': { file: 'login.html', type: 'text/html; charset=utf-8' },
  '/chat': { file: 'chat.html', type: 'text/html; charset=utf-8' },
  '/auth/callback': { file: 'callback.html', type: 'text/html; charset=utf-8' },
  '/app.css': { file: 'app.css', type: 'text/css; charset=utf-8' },
  '/session.js': { file: 'session.js', type: 'text/javascript; charset=utf-8' },
  '/login.js': { file: 'login.js', type: 'text/javascript; charset=utf-8' },
  '/callback.js': { file: 'callback.js', type: 'text/javascript; charset=utf-8' },
  '/chat.js': { file: 'chat.js', type: 'text/javascript; charset=utf-8' },
};

const HEADERS = {
  // The callback URL carries a token: never let it leave in a Referer header.
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
};

export function configScript(links: FrontendLinks, fault: string | undefined): string {
  const value = JSON.stringify({ ...links, fault: fault ?? null }).replace(/</g, '\\u003c');
  return `window.PLATFORM_CONFIG = Object.freeze(${value});\n`;
}

export async function startFrontendService(
  config: PlatformConfig,
  port: number,
  links: FrontendLinks,
): Promise<RunningService> {
  const log = createLogger('frontend');
  const files = frontendPages(config) ?? FILES;
  const contents = new Map(
    Object.entries(files).map(([path, { file }]) => [path, readFileSync(ASSET_DIR + file, 'utf8')]),
  );
  const script = configScript(links, config.fault);

  const server = createServer((req, res) => {
    const path = pathOf(req);
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return sendJson(res, 405, { detail: 'Method Not Allowed' }, HEADERS);
    if (path === '/health') return sendJson(res, 200, { status: 'healthy', service: 'frontend' }, HEADERS);
    if (path === '/config.js') return sendText(res, 200, script, 'text/javascript; charset=utf-8', HEADERS);
    if (path === '/' && files['/'] === undefined) {
      res.writeHead(302, { location: '/chat', ...HEADERS });
      res.end();
      return;
    }
    const asset = files[path];
    const body = contents.get(path);
    if (asset === undefined || body === undefined) return sendText(res, 404, 'Not Found', undefined, HEADERS);
    sendText(res, 200, body, asset.type, HEADERS);
  });

  const address = await listen(server, port, config.host);
  const url = originFor('http', config.host, address.port);
  log(`frontend listening on ${url} (auth ${links.authUrl}, socket ${links.wsUrl})`);
  if (config.fault !== undefined) log(`fault active: ${config.fault}`);
  return { url, close: () => closeServer(server) };
}
