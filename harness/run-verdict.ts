/**
 * Verdicts over what the agent socket delivered. Pure functions of the recorded frames and
 * sockets plus the elapsed time: the matcher calls them on every new frame and on deadlines,
 * the unit tests call them with hand-written transcripts.
 */
import type { CauseCode } from './causes.ts';
import { AGENT_EVENTS, type AgentEventType, type Budgets } from './config.ts';
import { authenticatedUser } from './connection-verdict.ts';
import {
  type AgentEvent,
  agentEventOf,
  describeFrame,
  type FrameRecord,
  isKeepAlive,
  type SentMessage,
  type SocketRecord,
} from './frames.ts';
import { closeCause, closeOf, describeClose } from './socket-close.ts';

export interface TimelineEntry {
  type: AgentEventType;
  /** ms since the message frame was sent, on the browser's clock. */
  ms: number;
  runId: string | undefined;
  toolName?: string;
}

export interface RunSummary {
  runId: string | undefined;
  threadId: string;
  timeline: TimelineEntry[];
  result: unknown;
  /** Readable lines: every frame on the agent socket since the message (heartbeats counted). */
  transcript: string[];
  /** How long the run was watched after its last event before it was judged complete. */
  settleMs: number;
  /** Harness clock (performance.now()) when the run's last event reached the harness. */
  lastEventSeenAt: number | undefined;
}

/** One wait's judgement: still waiting, or decided with its cause. Not the sign-off's verdict. */
export type Judgement<T> =
  | { state: 'pending'; waitingFor: string }
  | { state: 'passed'; value: T }
  | { state: 'failed'; code: CauseCode; summary: string; value?: T };

export interface RunInput {
  message: SentMessage;
  frames: readonly FrameRecord[];
  /** `frames`' agent events in order, when the caller keeps them as they arrive (see `eventsOf`). */
  events?: readonly AgentEvent[];
  sockets: readonly SocketRecord[];
  /** Every thread this page sent a message on: frames of other threads are leaks. */
  ownThreadIds: ReadonlySet<string>;
  /** The signed-in user's id, when known: agent events for another user are leaks. */
  userId: string | undefined;
  budgets: Budgets;
  /** Harness-clock ms since the message frame was seen. */
  elapsedMs: number;
  timeoutMs: number;
  /** True once the settle window after `agent_completed` has passed (late frames are in). */
  settled: boolean;
  /** The settle window in use (see `settleWindowMs`), reported with the run. */
  settleMs?: number;
}

/** Bounds of the settle window, and how many median event gaps it spans. */
export const SETTLE = { minMs: 250, maxMs: 1_500, gaps: 2 } as const;

/**
 * How long to keep watching after `agent_completed` before a run is complete: long enough that a
 * frame the server sends right after completion (a late event, another run's frame) is seen.
 * Derived from the run's own pacing, twice the median gap between its event frames, within
 * `SETTLE` bounds: a fast emitter's "right after" is sooner than a slow one's.
 */
export function settleWindowMs(arrivals: readonly number[]): number {
  const gaps = arrivals
    .slice(1)
    .map((at, index) => at - (arrivals[index] ?? at))
    .filter((gap) => gap >= 0)
    .sort((a, b) => a - b);
  const median = gaps.length === 0 ? 0 : (gaps[Math.floor((gaps.length - 1) / 2)] ?? 0);
  return Math.round(Math.min(SETTLE.maxMs, Math.max(SETTLE.minMs, SETTLE.gaps * median)));
}

const ORDER = new Map(AGENT_EVENTS.map((type, index) => [type, index]));

function transcriptSince(frames: readonly FrameRecord[], since: FrameRecord): string[] {
  const lines: string[] = [];
  let quiet = 0;
  for (const frame of frames) {
    if (frame.seq < since.seq) continue;
    if (isKeepAlive(frame)) {
      quiet += 1;
      continue;
    }
    lines.push(describeFrame(frame, since.at));
  }
  if (quiet > 0) lines.push(`(+${quiet} heartbeat/ping/progress frame(s) not listed)`);
  return lines;
}

function listTypes(events: readonly AgentEvent[]): string {
  return events.length === 0 ? 'nothing' : events.map((event) => event.type).join(', ');
}

/** The first ordering violation in one run's events, in arrival order. */
export function orderViolation(events: readonly AgentEvent[]): string | undefined {
  const first = (type: AgentEventType) => events.findIndex((event) => event.type === type);
  const started = first('agent_started');
  const thinking = first('agent_thinking');
  const executing = first('tool_executing');
  const completed = first('agent_completed');
  if (started > 0) return `agent_started arrived after ${events[0]?.type}`;
  if (completed >= 0 && completed < events.length - 1) {
    const late = events.slice(completed + 1).map((event) => event.type);
    return `agent_completed arrived before ${[...new Set(late)].join(', ')}`;
  }
  if (thinking >= 0 && executing >= 0 && executing < thinking)
    return 'tool_executing arrived before agent_thinking';
  const open = new Map<string, number>();
  for (const event of events) {
    const tool = event.toolName ?? '(no tool_name)';
    if (event.type === 'tool_executing') open.set(tool, (open.get(tool) ?? 0) + 1);
    if (event.type === 'tool_completed') {
      const pending = open.get(tool) ?? 0;
      if (pending === 0) return `tool_completed for ${tool} arrived before its tool_executing`;
      open.set(tool, pending - 1);
    }
  }
  return undefined;
}

/** The agent events among `frames`, in order. */
export function eventsOf(frames: readonly FrameRecord[]): AgentEvent[] {
  return frames.map(agentEventOf).filter((event): event is AgentEvent => event !== undefined);
}

/**
 * The events after `since`. Found by halving: the matcher judges on every batch that carries an
 * event, and walking every frame each time made judging O(transcript) per batch; under volume
 * (300 thinking frames, heartbeats every 20 ms) that put the harness a second behind the page.
 */
function eventsAfter(events: readonly AgentEvent[], since: FrameRecord): readonly AgentEvent[] {
  let low = 0;
  let high = events.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if ((events[middle]?.frame.seq ?? 0) > since.seq) high = middle;
    else low = middle + 1;
  }
  return low === 0 ? events : events.slice(low);
}

/** Event types absent from the run, plus tool_completed for any tool left executing. */
export function missingEvents(events: readonly AgentEvent[]): string[] {
  const present = new Set(events.map((event) => event.type));
  const missing: string[] = AGENT_EVENTS.filter((type) => !present.has(type));
  const balance = new Map<string, number>();
  for (const event of events) {
    const tool = event.toolName ?? '(no tool_name)';
    if (event.type === 'tool_executing') balance.set(tool, (balance.get(tool) ?? 0) + 1);
    if (event.type === 'tool_completed') balance.set(tool, (balance.get(tool) ?? 0) - 1);
  }
  for (const [tool, open] of balance) {
    if (open > 0 && present.has('tool_completed')) missing.push(`tool_completed for ${tool}`);
  }
  return missing;
}

/**
 * Where the run answering `message` is in settling: the window it needs (from its pacing) and,
 * once agent_completed is in, when its thread's last event reached the harness. Settled once no
 * event of the thread has arrived for the window: only then is an event "missing" rather than
 * late, and the run clean of what the server sends right after completing it.
 */
export function settleState(
  events: readonly AgentEvent[],
  message: SentMessage,
): { windowMs: number; lastSeenAt: number | undefined } {
  const arrivals: number[] = [];
  let completed = false;
  let last: number | undefined;
  for (const event of eventsAfter(events, message.frame)) {
    if (event.threadId !== message.threadId) continue;
    completed ||= event.type === 'agent_completed';
    arrivals.push(event.frame.at);
    last = event.frame.seenAt;
  }
  return { windowMs: settleWindowMs(arrivals), lastSeenAt: completed ? last : undefined };
}

/** The first event that arrived later than its budget, described. */
function lateEvent(timeline: readonly TimelineEntry[], budgets: Budgets): string | undefined {
  for (const type of AGENT_EVENTS) {
    const entry = timeline.find((item) => item.type === type);
    if (entry && entry.ms > budgets[type])
      return `${type} arrived ${entry.ms} ms after the message; budget ${budgets[type]} ms`;
  }
  return undefined;
}

/** Judge the run that answers `input.message`. */
export function evaluateRun(input: RunInput): Judgement<RunSummary> {
  const { message, frames, budgets } = input;
  const since = message.frame;
  const events = eventsAfter(input.events ?? eventsOf(frames), since);
  const upTo = frames.length;
  let transcript: string[] | undefined;

  const leak = events.find(
    (event) =>
      (event.threadId !== undefined && !input.ownThreadIds.has(event.threadId)) ||
      (input.userId !== undefined && event.userId !== undefined && event.userId !== input.userId),
  );
  const own = events.filter((event) => event.threadId === message.threadId);
  const runId = (own.find((event) => event.type === 'agent_started') ?? own[0])?.runId;
  const run = own.filter((event) => event.runId === runId);
  const summary: RunSummary = {
    runId,
    threadId: message.threadId,
    timeline: run.map((event) => ({
      type: event.type,
      ms: Math.round(event.frame.at - since.at),
      runId: event.runId,
      ...(event.toolName ? { toolName: event.toolName } : {}),
    })),
    result: run.find((event) => event.type === 'agent_completed')?.result,
    // Built only when read (a failure, a report): the matcher judges on every batch that carries
    // an event, and describing the whole transcript each time made judging O(transcript) in
    // string work; `upTo` keeps it to the frames this judgement saw.
    get transcript() {
      transcript ??= transcriptSince(frames.slice(0, upTo), since);
      return transcript;
    },
    settleMs: input.settleMs ?? 0,
    lastEventSeenAt: run.at(-1)?.frame.seenAt,
  };
  const fail = (code: CauseCode, text: string): Judgement<RunSummary> => ({
    state: 'failed',
    code,
    summary: `${text}\nframes on the agent socket since the message was sent:\n  ${summary.transcript.join('\n  ')}`,
    value: summary,
  });

  if (leak) {
    const whose =
      leak.userId && leak.userId !== input.userId ? `user ${leak.userId}` : 'another conversation';
    return fail(
      'CROSS_USER_LEAK',
      `${leak.type} of ${whose} (run ${leak.runId}, thread ${leak.threadId}) reached this user's socket at +${Math.round(leak.frame.at - since.at)}ms; this page only sent on thread(s) ${[...input.ownThreadIds].join(', ')}`,
    );
  }

  const completed = run.some((event) => event.type === 'agent_completed');
  if (completed) {
    // Decided the moment it arrives, whatever comes later: an event of this run after its
    // agent_completed, or an event later than its budget.
    const done = run.findIndex((event) => event.type === 'agent_completed');
    const after = [...new Set(run.slice(done + 1).map((event) => event.type))];
    if (after.length > 0) {
      return fail(
        'EVENT_ORDER',
        `agent_completed arrived before ${after.join(', ')} in run ${runId}; order seen: ${listTypes(run)}`,
      );
    }
    const late = lateEvent(summary.timeline, budgets);
    if (late) return fail('EVENT_LATENCY', late);
    // Only after the settle window is an event "missing" rather than late, and the run clean of
    // whatever the server sends right after completion.
    if (!input.settled) return { state: 'pending', waitingFor: 'the settle window after agent_completed' };
    const missing = missingEvents(run);
    if (missing.length > 0) {
      return fail(
        'EVENT_MISSING',
        `missing ${missing.join(', ')} in run ${runId}; arrived: ${listTypes(run)} (watched ${summary.settleMs} ms after the last event)`,
      );
    }
    const violation = orderViolation(run);
    if (violation) return fail('EVENT_ORDER', `${violation} in run ${runId}; order seen: ${listTypes(run)}`);
    return { state: 'passed', value: summary };
  }

  const carrier = input.sockets.find((socket) => socket.id === since.socketId);
  if (carrier?.closedAt !== undefined) {
    const facts = closeOf(carrier, authenticatedUser(carrier, frames) !== undefined);
    return fail(
      closeCause(facts),
      `the agent socket ${describeClose(facts)} ${Math.round(carrier.closedAt - since.at)} ms after the message, before agent_completed; run ${runId ?? '(never started)'} had: ${listTypes(run)}`,
    );
  }
  if (input.elapsedMs >= input.timeoutMs) {
    const missing = missingEvents(run);
    return fail(
      'EVENT_MISSING',
      `after ${input.timeoutMs} ms (E2E_EVENT_TIMEOUT_MS) still missing ${missing.join(', ')}; arrived: ${listTypes(run)}`,
    );
  }
  const highest = Math.max(-1, ...run.map((event) => ORDER.get(event.type) ?? -1));
  for (const type of AGENT_EVENTS) {
    if ((ORDER.get(type) ?? 0) <= highest) continue;
    if (input.elapsedMs > budgets[type]) {
      return fail(
        'EVENT_LATENCY',
        `${type} not arrived ${Math.round(input.elapsedMs)} ms after the message; budget ${budgets[type]} ms (E2E_EVENT_BUDGETS_MS)`,
      );
    }
    break;
  }
  return {
    state: 'pending',
    waitingFor: AGENT_EVENTS.filter((type) => (ORDER.get(type) ?? 0) > highest)[0] ?? '',
  };
}

/** A run that passed, kept so it can be judged again over everything that came later. */
export interface JudgedRun {
  message: SentMessage;
  userId: string | undefined;
  budgets: Budgets;
  settleMs: number;
}

/**
 * Judge every passed run again over all frames recorded since: a run is watched from its message
 * until the test ends, so another run's frame or a late event of its own that arrives after its
 * verdict still fails the test. The first such failure, if any.
 */
export function rejudgeRuns(
  runs: readonly JudgedRun[],
  now: Pick<RunInput, 'frames' | 'events' | 'sockets' | 'ownThreadIds' | 'timeoutMs'>,
): Extract<Judgement<RunSummary>, { state: 'failed' }> | undefined {
  for (const run of runs) {
    const verdict = evaluateRun({
      ...now,
      message: run.message,
      userId: run.userId,
      budgets: run.budgets,
      elapsedMs: Number.POSITIVE_INFINITY,
      settled: true,
      settleMs: run.settleMs,
    });
    if (verdict.state === 'failed')
      return {
        ...verdict,
        summary: `after run ${verdict.value?.runId ?? '?'} had passed: ${verdict.summary}`,
      };
  }
  return undefined;
}
