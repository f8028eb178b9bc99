/**
 * Building URLs under a base URL that may carry a path (`https://host/identity`): the one place
 * the harness joins a base and a route. `new URL('/health', base)` would drop the base's path,
 * which is how a one-origin deployment's JWKS came to be fetched from the host's root.
 */

/** `route` (with or without a leading slash, optionally `?query`) under `base`, keeping its path. */
export function urlUnder(base: string, route: string): string {
  const url = new URL(base);
  const at = route.indexOf('?');
  const routePath = at < 0 ? route : route.slice(0, at);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/${routePath.replace(/^\/+/, '')}`;
  url.search = at < 0 ? '' : route.slice(at);
  url.hash = '';
  return url.href;
}

/** The path `route` has under `base`, e.g. `/app/login` for `https://host/app/` and `login`. */
export function pathUnder(base: string, route: string): string {
  return new URL(urlUnder(base, route)).pathname;
}

/**
 * The agent socket's default URL: `ws(s)://<api host>/ws` for an API at the host's root, and
 * `ws(s)://<api host><api path>/ws` for one under a path (`https://host/backend` gives
 * `wss://host/backend/ws`), the socket being a route of the backend like its health routes.
 */
export function defaultWsUrl(apiUrl: string): string {
  const url = new URL(urlUnder(apiUrl, 'ws'));
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.href;
}
