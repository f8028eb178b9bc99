/**
 * Plays one agent run onto a socket: paced events with heartbeats and one binary frame in
 * between, the optional heartbeat flood, and the socket-level run faults. Stops quietly when
 * the socket goes away.
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { WebSocket } from 'ws';
import type { VolumeShape } from './deployment-shapes.ts';
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
  /** Big tool outputs and many thinking frames, when asked for. */
  volume?: Pick<VolumeShape, 'bigFrameBytes' | 'thinkingFrames'>;
  /**
   * What happens to the socket right after the first tool_executing: `terminate` (client sees
   * 1006, ws-close-mid-run) or `close-1000` (ws-close-1000-mid-run); undefined: nothing.
   */
  afterToolExecuting?: 'terminate' | 'close-1000';
  /** Set for a run sent to another user's socket (cross-user-leak fault). */
  leakedToUserId?: string;
  /** A dialect's event frames; absent, the contract's. */
  events?: EventDialect;
}

const FLOOD_HIGH_WATER = 1 << 20;
const FLOOD_LOW_WATER = 256 * 1024;
const BINARY_FRAME = Buffer.from([0x00, 0xff, 0x52, 0x45, 0x46]);
const STALL_HEARTBEAT_MS = 200;

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

/** Sends one agent event of `record` and notes it (and the run's answer) in the registry. */
export function sendRunEvent(
  ws: WebSocket,
  registry: RunRegistry,
  record: RunRecord,
  type: string,
  payload: Record<string, unknown>,
  timestamp: string | number = new Date().toISOString(),
): void {
  const { run_id, thread_id } = record;
  record.events.push({ type, sent_at_ms: Date.now() });
  if (type === 'agent_completed' && typeof payload.result === 'string')
    registry.noteAnswer(record, payload.result);
  ws.send(JSON.stringify({ type, run_id, thread_id, timestamp, payload }));
}

class RunSender {
  private events = 0;
  private heartbeats = 0;

  constructor(
    private readonly ws: WebSocket,
    private readonly registry: RunRegistry,
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
    this.events += 1;
    if (this.frames === undefined) {
      sendRunEvent(this.ws, this.registry, this.record, type, payload, RunSender.timestamp(this.events));
      return true;
    }
    this.record.events.push({ type, sent_at_ms: Date.now() });
    if (type === 'agent_completed' && typeof payload.result === 'string')
      this.registry.noteAnswer(this.record, payload.result);
    for (const each of this.frames.event(type, payload)) this.ws.send(JSON.stringify(each));
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

/** run-stalls: after the thinking, nothing but heartbeats until the socket goes away. */
async function stall(sender: RunSender, signal: AbortSignal): Promise<boolean> {
  while (await pause(STALL_HEARTBEAT_MS, signal)) {
    if (!sender.heartbeat()) break;
  }
  return false;
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
  const sender = new RunSender(opts.ws, opts.registry, record, opts.events?.runFrames(record));
  const fault = opts.leakedToUserId === undefined ? opts.fault : undefined;
  // A fixed shape (for benchmarks): every run has the most events, evenly paced over exactly
  // runMs, so runs compared against each other differ only in what the client does.
  const random = opts.runShape === 'fixed' ? () => 0.5 : Math.random;
  const steps: PlanStep[] = applyEventFault(
    planRun({ userId: opts.userId, content: opts.content, ...opts.volume }, random),
    fault,
  );
  const eventCount = steps.filter((s) => s.kind === 'event').length;
  const gaps = paceGaps(eventCount, opts.runMs, random);
  const binaryAt = eventCount > 1 ? 1 + Math.floor(random() * (eventCount - 1)) : 0;

  let eventIndex = 0;
  let ok = true;
  for (const step of steps) {
    if (step.kind === 'flood' && fault === 'run-stalls') {
      ok = await stall(sender, opts.signal);
    } else if (step.kind === 'flood') {
      ok = opts.floodFrames > 0 ? await flood(sender, opts.ws, opts) : true;
    } else {
      let wait = gaps[eventIndex] ?? 0;
      if (step.type === 'agent_started' && fault === 'agent-started-delayed') wait = opts.faultDelayMs;
      ok =
        eventIndex === 0
          ? await pause(wait, opts.signal)
          : await gap(sender, wait, eventIndex === binaryAt, opts.signal);
      const foreignAnswer =
        step.type === 'agent_completed' && fault === 'ui-shows-other-answer'
          ? opts.registry.foreignAnswerFor(opts.userId)
          : undefined;
      const payload =
        foreignAnswer === undefined ? step.payload : { ...step.payload, foreign_answer: foreignAnswer };
      ok = ok && sender.event(step.type, payload);
      eventIndex += 1;
      if (ok && step.type === 'tool_executing' && opts.afterToolExecuting !== undefined) {
        if (opts.afterToolExecuting === 'terminate') opts.ws.terminate();
        else opts.ws.close(1000, 'normal closure');
        ok = false;
      }
    }
    if (!ok) break;
  }
  opts.registry.finish(record, ok ? 'completed' : 'aborted');
  return record;
}
