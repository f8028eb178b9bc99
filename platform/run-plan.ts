/**
 * What one agent run says, in order, before any pacing: the canonical golden-path sequence,
 * then reshaped by an event fault (dropped, reordered) when one is active.
 */
import { droppedEventType, type FaultName } from './faults.ts';

export const AGENT_EVENT_TYPES = [
  'agent_started',
  'agent_thinking',
  'tool_executing',
  'tool_completed',
  'agent_completed',
] as const;
export type AgentEventType = (typeof AGENT_EVENT_TYPES)[number];

export interface PlannedEvent {
  kind: 'event';
  type: AgentEventType;
  payload: Record<string, unknown>;
}

/** Where the optional heartbeat flood goes: after the thinking, before the tools. */
export interface FloodMarker {
  kind: 'flood';
}

export type PlanStep = PlannedEvent | FloodMarker;

export interface RunInput {
  userId: string;
  content: string;
  /** When > 0, this many thinking frames instead of 2–3. */
  thinkingFrames?: number;
  /** When > 0, each tool output is padded to this many bytes. */
  bigFrameBytes?: number;
}

const THOUGHTS = [
  'Reading the question and what it asks for.',
  'Choosing which tools can answer it.',
  'Checking that the sources agree before answering.',
];

const TOOLS = [
  { name: 'search_knowledge_base', output: 'Found 3 matching articles.' },
  { name: 'summarise', output: 'Condensed the articles into a short answer.' },
];

const PREVIEW_CHARS = 80;

/** The deterministic answer: always quotes the user's message. */
export function answerFor(content: string): string {
  return `Answer to "${content}": the reference agent searched the knowledge base and summarised what it found.`;
}

/** `text` followed by filler up to `bytes` (ASCII, so characters are bytes). */
function padded(text: string, bytes = 0): string {
  return bytes > text.length ? `${text} ${'x'.repeat(bytes - text.length - 1)}` : text;
}

export function planRun(input: RunInput, random: () => number = Math.random): PlanStep[] {
  const event = (type: AgentEventType, payload: Record<string, unknown>): PlannedEvent => ({
    kind: 'event',
    type,
    payload: { user_id: input.userId, ...payload },
  });
  const steps: PlanStep[] = [
    event('agent_started', { content_preview: input.content.slice(0, PREVIEW_CHARS) }),
  ];
  const thinkingCount = input.thinkingFrames || (random() < 0.5 ? 2 : 3);
  for (let i = 0; i < thinkingCount; i++) {
    const thought = THOUGHTS[i % THOUGHTS.length] ?? '';
    steps.push(
      event('agent_thinking', { thought: input.thinkingFrames ? `${thought} (${i + 1})` : thought }),
    );
  }
  steps.push({ kind: 'flood' });
  const toolCount = random() < 0.5 ? 1 : 2;
  for (const tool of TOOLS.slice(0, toolCount)) {
    steps.push(
      event('tool_executing', {
        tool_name: tool.name,
        input: { query: input.content.slice(0, PREVIEW_CHARS) },
      }),
    );
    steps.push(
      event('tool_completed', { tool_name: tool.name, output: padded(tool.output, input.bigFrameBytes) }),
    );
  }
  steps.push(event('agent_completed', { result: answerFor(input.content) }));
  return steps;
}

function swapToolPairs(steps: PlanStep[]): PlanStep[] {
  const out = [...steps];
  for (let i = 0; i + 1 < out.length; i++) {
    const a = out[i];
    const b = out[i + 1];
    if (
      a?.kind === 'event' &&
      a.type === 'tool_executing' &&
      b?.kind === 'event' &&
      b.type === 'tool_completed'
    ) {
      out[i] = b;
      out[i + 1] = a;
      i++;
    }
  }
  return out;
}

function completedRightAfterStarted(steps: PlanStep[]): PlanStep[] {
  const isCompleted = (s: PlanStep) => s.kind === 'event' && s.type === 'agent_completed';
  const completed = steps.filter(isCompleted);
  const rest = steps.filter((s) => !isCompleted(s));
  const startedAt = rest.findIndex((s) => s.kind === 'event' && s.type === 'agent_started');
  rest.splice(startedAt + 1, 0, ...completed);
  return rest;
}

/** Applies an event-shaping fault; other faults leave the plan as it is. */
export function applyEventFault(steps: PlanStep[], fault: FaultName | undefined): PlanStep[] {
  const dropped = droppedEventType(fault);
  if (dropped !== undefined) return steps.filter((s) => s.kind !== 'event' || s.type !== dropped);
  if (fault === 'tool-completed-before-executing') return swapToolPairs(steps);
  if (fault === 'completed-before-thinking') return completedRightAfterStarted(steps);
  return steps;
}

/**
 * Splits roughly `totalMs` (jittered to 70–130 %) over `count` waits; the first wait (before
 * agent_started) is short so the run visibly starts at once.
 */
export function paceGaps(count: number, totalMs: number, random: () => number = Math.random): number[] {
  if (count === 0) return [];
  const weights = Array.from({ length: count }, (_, i) => (i === 0 ? 0.2 : 0.5 + random()));
  const sum = weights.reduce((a, b) => a + b, 0);
  const total = totalMs * (0.7 + 0.6 * random());
  return weights.map((w) => Math.round((total * w) / sum));
}
