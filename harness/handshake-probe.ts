/**
 * A diagnostic WebSocket upgrade from the harness itself, used only after the page's socket
 * was refused before opening: browsers hide the HTTP status of a refused upgrade from page
 * scripts, so the harness repeats the upgrade with the same subprotocols and reads the status.
 * It goes the way the browser's socket went: through the proxy for its URL (a CONNECT tunnel),
 * trusting the private CA.
 *
 * undici cannot do this: its `upgrade` reports a refused upgrade without the status, and its
 * `request` forbids the upgrade headers. So node:http, with the tunnel made here.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { isIP } from 'node:net';
import type { Duplex } from 'node:stream';
import tls from 'node:tls';
import { loadConfig, type Network } from './config.ts';
import { trustedCas } from './http.ts';
import { proxyFor } from './proxy.ts';

export type HandshakeOutcome =
  | { kind: 'status'; status: number }
  | { kind: 'upgraded' }
  | { kind: 'no-answer'; afterMs: number }
  | { kind: 'error'; message: string };

let configured: Network | undefined;
/** The network settings of this process's configuration, for callers that hold none. */
function processNetwork(): Network {
  configured ??= loadConfig().network;
  return configured;
}

/** A connection to `host:port` through `proxy` (HTTP CONNECT), for the upgrade to run on. */
function tunnel(
  proxy: string,
  host: string,
  port: number,
  timeoutMs: number,
  network: Network,
): Promise<Duplex> {
  const proxyUrl = new URL(proxy);
  const ca = trustedCas(network);
  return new Promise((resolve, reject) => {
    const auth = proxyUrl.username
      ? {
          'Proxy-Authorization': `Basic ${Buffer.from(`${decodeURIComponent(proxyUrl.username)}:${decodeURIComponent(proxyUrl.password)}`).toString('base64')}`,
        }
      : {};
    const proxyPort = Number(proxyUrl.port) || (proxyUrl.protocol === 'https:' ? 443 : 80);
    const req = http.request({
      method: 'CONNECT',
      host: proxyUrl.hostname,
      port: proxyPort,
      path: `${host}:${port}`,
      headers: { host: `${host}:${port}`, ...auth },
      timeout: timeoutMs,
      ...(proxyUrl.protocol === 'https:'
        ? {
            createConnection: () =>
              tls.connect({
                host: proxyUrl.hostname,
                port: proxyPort,
                servername: proxyUrl.hostname,
                ...(ca ? { ca } : {}),
              }),
          }
        : {}),
    });
    req.on('connect', (response, socket) => {
      if (response.statusCode === 200) resolve(socket);
      else {
        socket.destroy();
        reject(
          new Error(`proxy ${proxyUrl.host} answered ${response.statusCode} to CONNECT ${host}:${port}`),
        );
      }
    });
    req.on('timeout', () =>
      req.destroy(new Error(`proxy ${proxyUrl.host} gave no tunnel within ${timeoutMs} ms`)),
    );
    req.on('error', reject);
    req.end();
  });
}

export async function probeHandshake(
  wsUrl: string,
  protocols: readonly string[],
  origin: string,
  timeoutMs: number,
  network: Network = processNetwork(),
): Promise<HandshakeOutcome> {
  const url = new URL(wsUrl);
  const secure = url.protocol === 'wss:';
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const port = Number(url.port) || (secure ? 443 : 80);
  // http: even for wss, whose TLS (with the CA, and on a tunnel when proxied) `connection` sets up.
  url.protocol = 'http:';
  const ca = trustedCas(network);
  const proxy = proxyFor(wsUrl, network.proxy);
  let through: Duplex | undefined;
  if (proxy) {
    try {
      through = await tunnel(proxy, host, port, timeoutMs, network);
    } catch (error) {
      return { kind: 'error', message: (error as Error).message };
    }
  }
  // Only used when there is TLS to set up or a tunnel to run on.
  const connection = (): Duplex =>
    secure
      ? tls.connect({
          host,
          port,
          ...(isIP(host) ? {} : { servername: host }),
          ...(ca ? { ca } : {}),
          ...(through ? { socket: through } : {}),
        })
      : (through as Duplex);
  return new Promise((resolve) => {
    const req = http.request(url, {
      headers: {
        Connection: 'Upgrade',
        Upgrade: 'websocket',
        'Sec-WebSocket-Version': '13',
        'Sec-WebSocket-Key': randomBytes(16).toString('base64'),
        ...(protocols.length > 0 ? { 'Sec-WebSocket-Protocol': protocols.join(', ') } : {}),
        Origin: origin,
      },
      timeout: timeoutMs,
      ...(secure || through ? { createConnection: connection } : {}),
    });
    req.on('response', (response) => {
      response.resume();
      resolve({ kind: 'status', status: response.statusCode ?? 0 });
      req.destroy();
    });
    req.on('upgrade', (_response, socket) => {
      socket.destroy();
      resolve({ kind: 'upgraded' });
    });
    req.on('timeout', () => {
      resolve({ kind: 'no-answer', afterMs: timeoutMs });
      req.destroy();
    });
    req.on('error', (error) => resolve({ kind: 'error', message: error.message }));
    req.end();
  });
}

/** What a diagnostic upgrade got, in a few words. */
export function describeOutcome(outcome: HandshakeOutcome): string {
  if (outcome.kind === 'status') return `HTTP ${outcome.status}`;
  if (outcome.kind === 'upgraded') return 'upgraded (the refusal did not repeat)';
  if (outcome.kind === 'no-answer') return `no answer in ${outcome.afterMs} ms`;
  return outcome.message;
}
