/** What a wire dialect decides on `/ws`: where the token is, when to authenticate, which frames say what. */
import type { IncomingMessage } from 'node:http';
import type { WebSocket } from 'ws';
import type { TokenVerifier } from './token-verifier.ts';

export interface SocketRefusal {
  /** `NO_TOKEN` when the upgrade carried none, else `AUTH_FAILED`. */
  code: 'AUTH_FAILED' | 'NO_TOKEN';
  message: string;
  closeCode: 1008 | 1011;
}

/** The frames that carry one run's agent events and what comes between them. */
export interface RunFrames {
  /** The frames for one event: more than one when the event is delivered again (a retry). */
  event(type: string, payload: Record<string, unknown>): unknown[];
  /** A frame in a gap between events (the contract sends a heartbeat there). */
  between(): unknown;
}

export interface RunIdentity {
  run_id: string;
  thread_id: string;
  user_id: string;
}

export interface EventDialect {
  runFrames(run: RunIdentity): RunFrames;
}

export type ClientMessage =
  | { content: string; threadId: string | undefined }
  | { reply: unknown }
  | undefined;

export interface SocketDialect {
  verify: TokenVerifier;
  tokenFromUpgrade(req: IncomingMessage): string | undefined;
  /** Sends the refusal on the open socket, then closes it. */
  refuse(ws: WebSocket, refusal: SocketRefusal, req: IncomingMessage): void;
  welcome(connection: { connectionId: string; userId: string }): unknown;
  /** A message that starts a run, a frame to answer with, or nothing (ignored). */
  clientMessage(message: Record<string, unknown>): ClientMessage;
  events: EventDialect;
}
