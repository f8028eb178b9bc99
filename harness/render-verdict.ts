/**
 * Did the page show the run the socket delivered? What the page must show (one item per event
 * of its own threads, and the answer) and, when it did not, which element is the first one
 * missing, with the counts as evidence. Pure: the chat page object only counts what is shown.
 */
import { AGENT_EVENTS } from './config.ts';
import { agentEventOf, type FrameRecord } from './frames.ts';
import type { Failure } from './page-error-precedence.ts';
import type { RunSummary } from './run-verdict.ts';

/** Events delivered on the page's own threads, by type: what the page must show. */
export function deliveredCounts(
  frames: readonly FrameRecord[],
  ownThreadIds: ReadonlySet<string>,
): Map<string, number> {
  const delivered = new Map<string, number>();
  for (const frame of frames) {
    const event = agentEventOf(frame);
    if (event?.threadId && ownThreadIds.has(event.threadId))
      delivered.set(event.type, (delivered.get(event.type) ?? 0) + 1);
  }
  return delivered;
}

export interface RenderFacts {
  run: Pick<RunSummary, 'runId' | 'timeline'>;
  /** The answer the page must show, as the dialect reads it; undefined: not compared. */
  answer: string | undefined;
  delivered: ReadonlyMap<string, number>;
  /** Items the page shows, by event type. */
  shown: ReadonlyMap<string, number>;
  answers: readonly string[];
  budgetMs: number;
  /** The first line of the failed wait, for the reader. */
  waited: string;
}

/** UI_NOT_RENDERED naming the first thing the page did not show within the render budget. */
export function renderFailure(facts: RenderFacts): Failure {
  const { run, answer, delivered, shown, answers, budgetMs } = facts;
  const rows = AGENT_EVENTS.map((type) => ({
    type,
    shown: shown.get(type) ?? 0,
    delivered: delivered.get(type) ?? 0,
  }));
  const answered = answer === undefined || answers.some((text) => text.includes(answer));
  const unshown = rows.find((entry) => entry.shown < entry.delivered);
  const arrival = (type: string) => run.timeline.find((entry) => entry.type === type)?.ms;
  const what = unshown
    ? `${unshown.type} (arrived +${arrival(unshown.type) ?? '?'} ms after the message) is not shown`
    : answered
      ? 'the page shows more events than the socket delivered'
      : `the answer (agent_completed arrived +${arrival('agent_completed') ?? '?'} ms after the message) is not shown`;
  return {
    code: 'UI_NOT_RENDERED',
    summary: `${what} within the ${budgetMs} ms render budget (E2E_RENDER_BUDGET_MS) after the run's last event; run ${run.runId}: rendered/delivered ${rows.map((entry) => `${entry.type} ${entry.shown}/${entry.delivered}`).join(', ')}; answers shown: ${answers.length}; expected answer ${answer === undefined ? '(not compared)' : `"${answer.slice(0, 80)}"`}\n${facts.waited}`,
  };
}
