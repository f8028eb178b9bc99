/** The agent socket's transcript as attached to every test: every socket and frame, no token. */
import type { FrameRecord, SocketRecord } from './frames.ts';

export interface TranscriptInput {
  agentEndpoint: string;
  sockets: readonly SocketRecord[];
  offered: ReadonlyMap<number, string[]>;
  otherSockets: ReadonlyMap<string, number>;
  networkFramesReceived: number;
  frames: readonly FrameRecord[];
  /** Does this subprotocol carry the token? Such a protocol is listed without it. */
  carriesToken: (protocol: string) => boolean;
}

/** JSON text; the caller masks secrets in it. Times are ms since the first socket was made. */
export function socketTranscript(input: TranscriptInput): string {
  const first = input.sockets[0]?.createdAt ?? input.frames[0]?.at ?? 0;
  const body = {
    agentEndpoint: input.agentEndpoint,
    timeOrigin: new Date(first).toISOString(),
    sockets: input.sockets.map((socket) => ({
      ...socket,
      offeredProtocols: (input.offered.get(socket.id) ?? []).map((protocol) =>
        input.carriesToken(protocol) ? '<protocol carrying the access token>' : protocol,
      ),
    })),
    otherSockets: Object.fromEntries(input.otherSockets),
    networkFramesReceived: input.networkFramesReceived,
    frames: input.frames.map(({ seenAt: _seenAt, ...frame }) => ({
      ...frame,
      ms: Math.round(frame.at - first),
    })),
  };
  return JSON.stringify(body, null, 2);
}
