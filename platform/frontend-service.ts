/** The frontend: static login, callback and chat pages, plus `/config.js` carrying the service URLs. */
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import type { PlatformConfig } from './config.ts';
import { chatPathOf, servedPath, withFrontendIds } from './frontend-ids.ts';
import { pathOf, type ServiceHandlers, sendJson, sendText } from './http-util.ts';
import { createLogger } from './log.ts';
import { frontendPages } from './service-dialect.ts';

export interface FrontendLinks {
  /** The path the pages live under (`/app`), or '' at the root. */
  basePath: string;
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

/** The pages refer to each other from the root: under a base path they must say so. */
function underBasePath(html: string, basePath: string): string {
  return basePath === '' ? html : html.replace(/(href|src)="\//g, `$1="${basePath}/`);
}

/** The frontend's handlers; `url` is where it is served (for the log). */
export function createFrontendService(
  config: PlatformConfig,
  url: string,
  links: FrontendLinks,
): ServiceHandlers {
  const log = createLogger('frontend');
  const files = frontendPages(config) ?? FILES;
  const raw = new Map(
    Object.entries(files).map(([path, { file }]) => [
      path,
      withFrontendIds(file, readFileSync(ASSET_DIR + file, 'utf8'), config.frontendIds),
    ]),
  );
  const contents = new Map(
    [...raw].map(([path, text]) => [
      path,
      files[path]?.type.startsWith('text/html') ? underBasePath(text, links.basePath) : text,
    ]),
  );
  const spa = underBasePath(spaDocument(raw), links.basePath);

  const request = (req: IncomingMessage, res: ServerResponse) => {
    // frontend-down: the frontend keeps its URL (it is in the ready line) but answers nothing,
    // the connection is dropped, as when nothing is deployed behind a proxy's address.
    if (config.fault === 'frontend-down') {
      req.socket.destroy();
      return;
    }
    const path = servedPath(pathOf(req), config.frontendIds) ?? '';
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return sendJson(res, 405, { detail: 'Method Not Allowed' }, HEADERS);
    if (path === '/health') return sendJson(res, 200, { status: 'healthy', service: 'frontend' }, HEADERS);
    if (path === '/config.js') {
      // Built per request: the fault can be switched at run time.
      const script = configScript(links, config.fault, config.frontendShapes);
      return sendText(res, 200, script, 'text/javascript; charset=utf-8', HEADERS);
    }
    if (path === '/' && files['/'] === undefined) {
      res.writeHead(302, { location: `${links.basePath}${chatPathOf(config.frontendIds)}`, ...HEADERS });
      res.end();
      return;
    }
    // Read per request, like the fault: the shapes can be switched at run time.
    if (config.frontendShapes.includes('spa') && (path === '/login' || path === '/chat'))
      return sendText(res, 200, spa, 'text/html; charset=utf-8', HEADERS);
    const asset = files[path];
    const body = contents.get(path);
    if (asset === undefined || body === undefined) return sendText(res, 404, 'Not Found', undefined, HEADERS);
    sendText(res, 200, body, asset.type, HEADERS);
  };

  log(`frontend listening on ${url} (auth ${links.authUrl}, socket ${links.wsUrl})`);
  if (config.fault !== undefined) log(`fault active: ${config.fault}`);
  return { request };
}

/**
 * The spa shape's one document: the head of the chat page with the scripts of both views, and
 * the bodies of the sign-in and chat pages as two views, shown by the client-side router.
 */
function spaDocument(pages: Map<string, string>): string {
  const body = (path: string) => /<body[^>]*>([\s\S]*)<\/body>/.exec(pages.get(path) ?? '')?.[1] ?? '';
  return (pages.get('/chat') ?? '')
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
