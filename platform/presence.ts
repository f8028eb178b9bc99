/** `/presence`: an unauthenticated side socket that reports how many `/ws` sockets are open, each second. */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';

const INTERVAL_MS = 1000;

export class PresenceChannel {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 4096 });

  constructor(private readonly online: () => number) {
    this.wss.on('connection', (ws) => {
      const tell = () => {
        if (ws.readyState === WebSocket.OPEN)
          ws.send(JSON.stringify({ type: 'presence', online: this.online() }));
      };
      tell();
      const timer = setInterval(tell, INTERVAL_MS);
      ws.on('close', () => clearInterval(timer));
      ws.on('error', () => ws.terminate());
    });
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.wss.handleUpgrade(req, socket, head, (ws) => this.wss.emit('connection', ws, req));
  }

  close(): void {
    for (const ws of this.wss.clients) ws.terminate();
    this.wss.close();
  }
}
