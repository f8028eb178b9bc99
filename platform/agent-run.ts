/**
 * Plays one agent run onto a socket: paced events with heartbeats and one binary frame in
 * between, the optional heartbeat flood, and the socket-level run faults. Stops quietly when
 * the socket goes away.
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { WebSocket } from 'ws';
import type { FaultName } from './faults.ts';
import { applyEventFault, type PlanStep, paceGaps, planRun } from './run-plan.ts';
import type { RunRecord, RunRegistry } from './run-registry.ts';
import type { EventDialect, RunFrames } from './socket-dialect.ts';

export interface AgentRunOptions {
  ws: WebSocket;
  /** Aborted when the socket closes or the service shuts down. */
  signal: AbortSignal;
  registry: RunRegistry;
  connectionId: string;
  /** Whose run this is (for a leaked run, not the socket's owner). */
  userId: string;
  threadId: string;
  content: string;
  runMs: number;
  runShape: 'varied' | 'fixed';
  fault: FaultName | undefined;
  faultDelayMs: number;
  floodFrames: number;
  /** ws-close-mid-run: terminate the socket right after the first tool_executing. */
  terminateAfterToolExecuting: boolean;
  /** Set for a run sent to another user's socket (cross-user-leak fault). */
  leakedToUserId?: string;
  /** A dialect's event frames; absent, the contract's. */
  events?: EventDialect;
}

const FLOOD_HIGH_WATER = 1 << 20;
const FLOOD_LOW_WATER = 256 * 1024;
const BINARY_FRAME = Buffer.from([0x00, 0xff, 0x52, 0x45, 0x46]);

export function newRunId(): string {
  return `run_${randomBytes(6).toString('hex')}`;
}

async function pause(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return false;
  if (ms <= 0) return true;
  try {
    await sleep(ms, undefined, { signal });
    return true;
  } catch {
    return false;
  }
}

class RunSender {
  private events = 0;
  private heartbeats = 0;

  constructor(
    private readonly ws: WebSocket,
    private readonly record: RunRecord,
    private readonly frames?: RunFrames,
  ) {}

  get open(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  /** The contract leaves the timestamp format open, so it alternates: ISO string, epoch ms. */
  private static timestamp(counter: number): string | number {
    return counter % 2 === 1 ? new Date().toISOString() : Date.now();
  }

  event(type: string, payload: Record<string, unknown>): boolean {
    if (!this.open) return false;
    const { run_id, thread_id } = this.record;
    this.events += 1;
    const frame = { type, run_id, thread_id, timestamp: RunSender.timestamp(this.events), payload };
    this.record.events.push({ type, sent_at_ms: Date.now() });
    for (const each of this.frames?.event(type, payload) ?? [frame]) this.ws.send(JSON.stringify(each));
    return true;
  }

  heartbeat(payload?: Record<string, unknown>): boolean {
    if (!this.open) return false;
    this.heartbeats += 1;
    if (this.frames !== undefined && payload === undefined) {
      this.ws.send(JSON.stringify(this.frames.between()));
      return true;
    }
    const timestamp = RunSender.timestamp(this.heartbeats);
    this.ws.send(JSON.stringify({ type: 'heartbeat', timestamp, ...(payload ? { payload } : {}) }));
    return true;
  }

  binary(): boolean {
    if (!this.open) return false;
    this.ws.send(BINARY_FRAME);
    return true;
  }
}

async function flood(sender: RunSender, ws: WebSocket, opts: AgentRunOptions): Promise<boolean> {
  for (let seq = 0; seq < opts.floodFrames; seq++) {
    if (ws.bufferedAmount > FLOOD_HIGH_WATER) {
      while (ws.bufferedAmount > FLOOD_LOW_WATER) {
        if (!(await pause(5, opts.signal))) return false;
      }
    }
    if (!sender.heartbeat({ flood_seq: seq })) return false;
    opts.registry.stats.flood_frames_sent += 1;
    if (seq % 1000 === 999) {
      // Let the socket write and other sockets breathe during a long flood.
      await new Promise((resolve) => setImmediate(resolve));
      if (opts.signal.aborted) return false;
    }
  }
  return true;
}

/** Waits for the gap before an event, with a heartbeat halfway and, once per run, a binary frame. */
async function gap(
  sender: RunSender,
  ms: number,
  withBinary: boolean,
  signal: AbortSignal,
): Promise<boolean> {
  const half = Math.floor(ms / 2);
  if (!(await pause(half, signal))) return false;
  if (!sender.heartbeat()) return false;
  if (withBinary && !sender.binary()) return false;
  return pause(ms - half, signal);
}

export async function executeRun(opts: AgentRunOptions): Promise<RunRecord> {
  const record = opts.registry.begin({
    run_id: newRunId(),
    thread_id: opts.threadId,
    user_id: opts.userId,
    connection_id: opts.connectionId,
    ...(opts.leakedToUserId !== undefined ? { leaked_to_user_id: opts.leakedToUserId } : {}),
  });
  const sender = new RunSender(opts.ws, record, opts.events?.runFrames(record));
  const fault = opts.leakedToUserId === undefined ? opts.fault : undefined;
  // A fixed shape (for benchmarks): every run has the most events, evenly paced over exactly
  // runMs, so runs compared against each other differ only in what the client does.
  const random = opts.runShape === 'fixed' ? () => 0.5 : Math.random;
  const steps: PlanStep[] = applyEventFault(
    planRun({ userId: opts.userId, content: opts.content }, random),
    fault,
  );
  const eventCount = steps.filter((s) => s.kind === 'event').length;
  const gaps = paceGaps(eventCount, opts.runMs, random);
  const binaryAt = eventCount > 1 ? 1 + Math.floor(random() * (eventCount - 1)) : 0;

  let eventIndex = 0;
  let ok = true;
  for (const step of steps) {
    if (step.kind === 'flood') {
      ok = opts.floodFrames > 0 ? await flood(sender, opts.ws, opts) : true;
    } else {
      let wait = gaps[eventIndex] ?? 0;
      if (step.type === 'agent_started' && fault === 'agent-started-delayed') wait = opts.faultDelayMs;
      ok =
        eventIndex === 0
          ? await pause(wait, opts.signal)
          : await gap(sender, wait, eventIndex === binaryAt, opts.signal);
      ok = ok && sender.event(step.type, step.payload);
      eventIndex += 1;
      if (ok && step.type === 'tool_executing' && opts.terminateAfterToolExecuting) {
        opts.ws.terminate();
        ok = false;
      }
    }
    if (!ok) break;
  }
  opts.registry.finish(record, ok ? 'completed' : 'aborted');
  return record;
}
