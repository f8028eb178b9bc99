/**
 * Proxy choice, the same for every request of the harness and for the browser: `HTTPS_PROXY`
 * for https/wss, `HTTP_PROXY` for http/ws (and for https too when `HTTPS_PROXY` is unset), no
 * proxy for a host `NO_PROXY` names. The `NO_PROXY` rules are undici's (`EnvHttpProxyAgent`),
 * which carries every other harness request: `*` is every host, `host` that host exactly,
 * `.host` or `*.host` its subdomains, `host:port` that port only.
 */
import type { ProxySettings } from './config.ts';

interface NoProxyEntry {
  hostname: string;
  port: number;
}

function noProxyEntries(noProxy: string | undefined): NoProxyEntry[] {
  return (noProxy ?? '')
    .split(/[,\s]/)
    .filter(Boolean)
    .map((entry) => {
      const parsed = /^(.+):(\d+)$/.exec(entry);
      return { hostname: (parsed?.[1] ?? entry).toLowerCase(), port: parsed ? Number(parsed[2]) : 0 };
    });
}

const secure = (protocol: string) => protocol === 'https:' || protocol === 'wss:';

/** The proxy a request to `target` goes through, or undefined for a direct connection. */
export function proxyFor(target: string, proxy: ProxySettings | undefined): string | undefined {
  if (!proxy) return undefined;
  const url = new URL(target);
  const chosen = secure(url.protocol) ? (proxy.https ?? proxy.http) : proxy.http;
  if (!chosen) return undefined;
  if (proxy.noProxy?.trim() === '*') return undefined;
  const hostname = url.hostname.toLowerCase().replace(/^\[|\]$/g, '');
  const port = Number(url.port) || (secure(url.protocol) ? 443 : 80);
  const bypassed = noProxyEntries(proxy.noProxy).some((entry) => {
    if (entry.port && entry.port !== port) return false;
    const name = entry.hostname.replace(/^\[|\]$/g, '');
    return /^[.*]/.test(name) ? hostname.endsWith(name.replace(/^\*/, '')) : hostname === name;
  });
  return bypassed ? undefined : chosen;
}

export interface BrowserProxy {
  server: string;
  bypass: string;
  username?: string;
  password?: string;
}

/**
 * Playwright's `proxy` option for the browser. Playwright takes one proxy server: the one for
 * the frontend's scheme. The bypass list is `NO_PROXY` plus `<-loopback>`: Chromium on its own
 * never proxies loopback hosts, so without it a browser would reach 127.0.0.1 directly while
 * the harness's own requests went through the proxy (Playwright adds `<-loopback>` itself only
 * when the bypass list names no loopback host; naming it always makes both sides agree).
 */
export function browserProxy(
  proxy: ProxySettings | undefined,
  frontendUrl: string,
): BrowserProxy | undefined {
  if (!proxy) return undefined;
  const chosen = secure(new URL(frontendUrl).protocol) ? (proxy.https ?? proxy.http) : proxy.http;
  if (!chosen) return undefined;
  const url = new URL(chosen);
  const entries = (proxy.noProxy ?? '').split(/[,\s]/).filter(Boolean);
  return {
    server: `${url.protocol}//${url.host}`,
    bypass: [...entries, '<-loopback>'].join(','),
    ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
    ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
  };
}
