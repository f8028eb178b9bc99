/** The frontend: static login, callback and chat pages, plus `/config.js` carrying the service URLs. */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import type { PlatformConfig } from './config.ts';
import { frontendPages } from './dialect.ts';
import { onFaultChange } from './fault-switch.ts';
import {
  closeServer,
  listen,
  originFor,
  pathOf,
  type RunningService,
  sendJson,
  sendText,
} from './http-util.ts';
import { createLogger, type Logger } from './log.ts';

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
  '/nav.js': { file: 'nav.js', type: 'text/javascript; charset=utf-8' },
};

const HEADERS = {
  // The callback URL carries a token: never let it leave in a Referer header.
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
};

export function configScript(
  links: FrontendLinks,
  fault: string | undefined,
  shapes: readonly string[] = [],
): string {
  const value = JSON.stringify({ ...links, fault: fault ?? null, shapes }).replace(/</g, '\\u003c');
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

  const spa = config.frontendShapes.includes('spa') ? spaDocument(contents) : undefined;

  const server = createServer((req, res) => {
    const path = pathOf(req);
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return sendJson(res, 405, { detail: 'Method Not Allowed' }, HEADERS);
    if (path === '/health') return sendJson(res, 200, { status: 'healthy', service: 'frontend' }, HEADERS);
    if (path === '/config.js') {
      // Built per request: the fault can be switched at run time.
      const script = configScript(links, config.fault, config.frontendShapes);
      return sendText(res, 200, script, 'text/javascript; charset=utf-8', HEADERS);
    }
    if (path === '/' && files['/'] === undefined) {
      res.writeHead(302, { location: '/chat', ...HEADERS });
      res.end();
      return;
    }
    if (spa !== undefined && (path === '/login' || path === '/chat'))
      return sendText(res, 200, spa, 'text/html; charset=utf-8', HEADERS);
    const asset = files[path];
    const body = contents.get(path);
    if (asset === undefined || body === undefined) return sendText(res, 404, 'Not Found', undefined, HEADERS);
    sendText(res, 200, body, asset.type, HEADERS);
  });

  const address = await listen(server, port, config.host);
  const url = originFor('http', config.host, address.port);
  log(`frontend listening on ${url} (auth ${links.authUrl}, socket ${links.wsUrl})`);
  if (config.fault !== undefined) log(`fault active: ${config.fault}`);
  const down = frontendDownSwitch(server, address.port, config.host, log);
  await down(config.fault);
  onFaultChange(config, (fault) => void down(fault));
  return { url, close: () => (server.listening ? closeServer(server) : Promise.resolve()) };
}

/**
 * The spa shape's one document: the head of the chat page with the scripts of both views, and
 * the bodies of the sign-in and chat pages as two views, shown by the client-side router.
 */
function spaDocument(contents: Map<string, string>): string {
  const body = (path: string) => /<body[^>]*>([\s\S]*)<\/body>/.exec(contents.get(path) ?? '')?.[1] ?? '';
  const chat = contents.get('/chat') ?? '';
  return chat
    .replace(
      '<script src="/chat.js" defer></script>',
      '<script src="/login.js" defer></script>\n    <script src="/chat.js" defer></script>',
    )
    .replace(
      /<body[^>]*>[\s\S]*<\/body>/,
      () =>
        `<body data-view="spa">\n<div id="view-login" hidden>${body('/login')}</div>\n<div id="view-chat" hidden>${body('/chat')}</div>\n</body>`,
    );
}

/**
 * frontend-down: the frontend keeps its URL (it is in the ready line) but stops listening on
 * it, so requests are refused; leaving the fault listens on the same port again.
 */
function frontendDownSwitch(server: Server, port: number, host: string, log: Logger) {
  let change = Promise.resolve();
  return (fault: string | undefined): Promise<void> => {
    change = change
      .then(async () => {
        if (fault === 'frontend-down' && server.listening) {
          await closeServer(server);
          log('frontend stopped listening (fault frontend-down)');
        } else if (fault !== 'frontend-down' && !server.listening) {
          await listen(server, port, host);
          log('frontend listening again');
        }
      })
      .catch((err: unknown) =>
        log(`frontend could not switch: ${err instanceof Error ? err.message : String(err)}`),
      );
    return change;
  };
}
