/**
 * A diagnostic WebSocket upgrade from the harness itself, used only after the page's socket
 * was refused before opening: browsers hide the HTTP status of a refused upgrade from page
 * scripts, so the harness repeats the upgrade with the same subprotocols and reads the status.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';

export type HandshakeOutcome =
  | { kind: 'status'; status: number }
  | { kind: 'upgraded' }
  | { kind: 'no-answer'; afterMs: number }
  | { kind: 'error'; message: string };

export function probeHandshake(
  wsUrl: string,
  protocols: readonly string[],
  origin: string,
  timeoutMs: number,
): Promise<HandshakeOutcome> {
  const url = new URL(wsUrl);
  const secure = url.protocol === 'wss:';
  url.protocol = secure ? 'https:' : 'http:';
  return new Promise((resolve) => {
    const req = (secure ? https : http).request(url, {
      headers: {
        Connection: 'Upgrade',
        Upgrade: 'websocket',
        'Sec-WebSocket-Version': '13',
        'Sec-WebSocket-Key': randomBytes(16).toString('base64'),
        ...(protocols.length > 0 ? { 'Sec-WebSocket-Protocol': protocols.join(', ') } : {}),
        Origin: origin,
      },
      timeout: timeoutMs,
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
