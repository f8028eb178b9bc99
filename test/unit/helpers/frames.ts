/**
 * Small builders for hand-written agent-socket transcripts: one frame per call, times in ms
 * since the message was sent, so a test reads as the run it describes.
 */

import type { AgentEventType, Budgets } from '../../../harness/config.ts';
import type { WireDialect } from '../../../harness/dialect.ts';
import { contractDialect } from '../../../harness/dialects/contract.ts';
import {
  type FrameRecord,
  recordFrame,
  type SentMessage,
  type SocketRecord,
} from '../../../harness/frames.ts';
import type { RunInput } from '../../../harness/run-verdict.ts';

/** Browser epoch ms at which every transcript's message is sent. */
export const T0 = 1_760_000_000_000;

export const AGENT_URL = 'ws://127.0.0.1:47812/ws';

export const GENEROUS: Budgets = {
  agent_started: 60_000,
  agent_thinking: 60_000,
  tool_executing: 60_000,
  tool_completed: 60_000,
  agent_completed: 60_000,
};

/** Server timestamps in the formats deployments use; the harness must ignore them all. */
const TIMESTAMPS: (() => unknown)[] = [
  () => new Date(T0).toISOString(),
  () => T0 / 1000,
  () => T0,
  () => '2025-10-09 08:53:20.123456',
  () => undefined,
  () => '1760000000',
];

export interface EventOptions {
  run?: string;
  thread?: string;
  tool?: string;
  user?: string;
  result?: unknown;
}

/**
 * One agent socket's frames. `at` arguments are ms after the message (negative: before it).
 * Frames are parsed with the harness's own `parseFrame`, as the recorder does.
 */
export class Transcript {
  readonly frames: FrameRecord[] = [];
  private stamp = 0;

  constructor(
    readonly socketId = 1,
    readonly url = AGENT_URL,
    readonly dialect: WireDialect = contractDialect,
  ) {}

  private push(direction: FrameRecord['direction'], at: number, raw: { text?: string; binarySize?: number }) {
    const frame = recordFrame(
      {
        seq: this.frames.length + 1,
        socketId: this.socketId,
        url: this.url,
        direction,
        at: T0 + at,
        seenAt: 5_000 + at,
      },
      raw,
      this.dialect,
    );
    this.frames.push(frame);
    return frame;
  }

  receive(at: number, json: unknown): FrameRecord {
    return this.push('received', at, { text: JSON.stringify(json) });
  }

  text(at: number, text: string): FrameRecord {
    return this.push('received', at, { text });
  }

  binary(at: number, size = 16): FrameRecord {
    return this.push('received', at, { binarySize: size });
  }

  heartbeat(at: number, type = 'heartbeat'): FrameRecord {
    return this.receive(at, { type, timestamp: new Date(T0 + at).toISOString() });
  }

  established(at: number, userId = 'u-alice'): FrameRecord {
    return this.receive(at, { type: 'connection_established', user_id: userId, connection_id: 'c-1' });
  }

  /** The `user_message` the page sends; returns it as the harness sees it. */
  send(content: string, thread = 'thread-1', at = 0): SentMessage {
    const frame = this.push('sent', at, {
      text: JSON.stringify({ type: 'user_message', payload: { content, thread_id: thread } }),
    });
    return { threadId: thread, content, frame };
  }

  event(type: AgentEventType, at: number, options: EventOptions = {}): FrameRecord {
    const timestamp = TIMESTAMPS[this.stamp++ % TIMESTAMPS.length]?.();
    const payload: Record<string, unknown> = {};
    if (options.tool) payload.tool_name = options.tool;
    if (options.user) payload.user_id = options.user;
    if (type === 'agent_completed') payload.result = options.result ?? 'the answer';
    return this.receive(at, {
      type,
      run_id: options.run ?? 'run-1',
      thread_id: options.thread ?? 'thread-1',
      ...(timestamp === undefined ? {} : { timestamp }),
      payload,
    });
  }

  /**
   * Play steps 100 ms apart starting at `start`: an event type, `tool_executing:<tool>` /
   * `tool_completed:<tool>`, or noise: `heartbeat`, `ping`, `progress`, `binary`, `garbage`.
   */
  play(steps: readonly string[], options: EventOptions & { start?: number; every?: number } = {}): this {
    const every = options.every ?? 100;
    let at = options.start ?? 100;
    for (const step of steps) {
      const [kind, tool] = step.split(':');
      if (kind === 'heartbeat' || kind === 'ping' || kind === 'progress') this.heartbeat(at, kind);
      else if (kind === 'binary') this.binary(at);
      else if (kind === 'garbage') this.text(at, 'not json at all');
      else this.event(kind as AgentEventType, at, { ...options, ...(tool ? { tool } : {}) });
      at += every;
    }
    return this;
  }
}

/** A correct run with noise in between: two thinking events, two tool pairs. */
export const GOLDEN_STEPS = [
  'heartbeat',
  'agent_started',
  'binary',
  'agent_thinking',
  'ping',
  'agent_thinking',
  'tool_executing:search',
  'progress',
  'garbage',
  'tool_completed:search',
  'tool_executing:calculator',
  'heartbeat',
  'tool_completed:calculator',
  'agent_completed',
  'heartbeat',
] as const;

export const without = (steps: readonly string[], type: string): string[] =>
  steps.filter((step) => step.split(':')[0] !== type);

export function socket(overrides: Partial<SocketRecord> = {}): SocketRecord {
  return {
    id: 1,
    url: AGENT_URL,
    pageUrl: 'http://127.0.0.1:47813/chat',
    createdAt: T0 - 1_000,
    ...overrides,
  };
}

/** A RunInput for the message: generous budgets, well inside the timeout, settled. */
export function runInput(
  transcript: Transcript,
  message: SentMessage,
  overrides: Partial<RunInput> = {},
): RunInput {
  return {
    message,
    frames: transcript.frames,
    sockets: [socket({ id: transcript.socketId, openedAt: T0 - 900 })],
    ownThreadIds: new Set([message.threadId]),
    userId: 'u-alice',
    budgets: GENEROUS,
    elapsedMs: 2_000,
    timeoutMs: 30_000,
    settled: true,
    ...overrides,
  };
}
