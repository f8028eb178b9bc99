/**
 * netra's agent event frames (docs/netra.md §7). Both paths of the real backend, alternating
 * per event within a run (its 1st, 3rd, … event on path A, the others on path B):
 * - A, the emitter: `{type, data: {run_id, thread_id, user_id, …}, timestamp: <naive ISO>, critical, attempt}`;
 * - B, the bridge: `{type, run_id, agent_name, timestamp: <ISO +00:00>, payload: {…}}`, no thread id.
 * The first thinking, every tool_completed and the agent_completed are delivered twice (a retry:
 * same type and body; path A counts `attempt`). Between events: heartbeat, ping,
 * progress_update and partial_result in turn.
 */
import type { EventDialect, RunFrames, RunIdentity } from '../socket-dialect.ts';

const AGENT_NAME = 'supervisor_agent';

/** ISO with `+00:00`, as Python's `datetime.now(timezone.utc).isoformat()`. */
function isoUtc(): string {
  return new Date().toISOString().replace('Z', '+00:00');
}

/** Naive ISO, as `datetime.utcnow().isoformat()`. */
function isoNaive(): string {
  return new Date().toISOString().replace('Z', '');
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** The event's own fields, in netra's names, from the run plan's payload. */
function fieldsOf(
  type: string,
  payload: Record<string, unknown>,
  startedAt: number,
): Record<string, unknown> {
  const { user_id: _userId, ...rest } = payload;
  switch (type) {
    case 'agent_started':
      return { agent_name: AGENT_NAME, status: 'started', message: text(payload.content_preview) };
    case 'agent_thinking':
      return { agent_name: AGENT_NAME, reasoning: text(payload.thought) };
    case 'tool_executing':
      return { tool_name: payload.tool_name, parameters: payload.input ?? {}, status: 'executing' };
    case 'tool_completed':
      return { tool_name: payload.tool_name, result: { output: payload.output }, status: 'completed' };
    case 'agent_completed':
      return {
        ...rest,
        agent_name: AGENT_NAME,
        status: 'completed',
        result: { response: text(payload.result) },
        execution_time_ms: Date.now() - startedAt,
        message: 'Agent completed successfully',
      };
    default:
      return rest;
  }
}

const REPEATED = new Set(['tool_completed', 'agent_completed']);

function runFrames(run: RunIdentity): RunFrames {
  const startedAt = Date.now();
  let events = 0;
  let gaps = 0;
  let thoughts = 0;
  // A retry carries the same body; only path A's own `timestamp` and `attempt` are new.
  const viaEmitter = (
    type: string,
    fields: Record<string, unknown>,
    stamp: string,
    attempt: number | null,
  ) => ({
    type,
    data: { run_id: run.run_id, thread_id: run.thread_id, user_id: run.user_id, timestamp: stamp, ...fields },
    timestamp: isoNaive(),
    critical: true,
    attempt,
  });
  const viaBridge = (type: string, fields: Record<string, unknown>, stamp: string) => {
    const { agent_name: _agent, ...rest } = fields;
    return {
      type,
      run_id: run.run_id,
      agent_name: AGENT_NAME,
      timestamp: stamp,
      payload: { user_id: run.user_id, ...rest },
    };
  };
  return {
    event(type, payload) {
      const fields = fieldsOf(type, payload, startedAt);
      const onEmitter = events % 2 === 0;
      events += 1;
      if (type === 'agent_thinking') thoughts += 1;
      const again = REPEATED.has(type) || (type === 'agent_thinking' && thoughts === 1);
      const stamp = isoUtc();
      const send = (attempt: number | null) =>
        onEmitter ? viaEmitter(type, fields, stamp, attempt) : viaBridge(type, fields, stamp);
      return again ? [send(null), send(2)] : [send(null)];
    },
    between() {
      gaps += 1;
      switch (gaps % 4) {
        case 1:
          return { type: 'heartbeat', timestamp: Date.now() / 1000 };
        case 2:
          return { type: 'ping', timestamp: Date.now() / 1000 };
        case 3:
          return {
            type: 'progress_update',
            run_id: run.run_id,
            payload: { progress: gaps * 10, message: 'Working' },
          };
        default:
          return {
            type: 'partial_result',
            run_id: run.run_id,
            data: { content: 'Partial answer…', is_complete: false },
          };
      }
    },
  };
}

export const netraEvents: EventDialect = { runFrames };
