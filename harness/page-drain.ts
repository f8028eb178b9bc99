/**
 * The harness can fall behind the page: the page stamps each frame when it arrives, but the
 * frame reaches the harness later, after the browser, the binding and the harness's own event
 * loop have passed it on. A deadline that runs out on the harness's clock may then expire on
 * frames the page already holds. These pure rules say which decisions must first be confirmed
 * against everything the page holds (a drain), and when a drain is complete.
 */
import type { Judgement } from './run-verdict.ts';

/** What a page's probe answers when drained: its document, records handed over, its clock. */
export interface DrainAnswer {
  doc: string;
  /** Records the document handed to the harness so far. */
  reported: number;
  /** The page's clock (epoch ms) when it answered. */
  at: number;
}

/**
 * Whether `verdict` stands without a drain. A failure that the same records give at elapsed 0
 * (a leak, a close, an event that arrived after its budget) is decided by evidence: nothing still
 * on its way can undo it. Any other decision, a budget or timeout that ran out, a settle window
 * that passed, a pass, rests on what has not arrived, and a record in transit could change it.
 */
export function standsWithoutDrain<T>(verdict: Judgement<T>, atZero: () => Judgement<T>): boolean {
  if (verdict.state === 'pending') return true;
  return verdict.state === 'failed' && atZero().state === 'failed';
}

/** Whether every record the answering documents handed over has been taken in. */
export function drained(answers: readonly DrainAnswer[], ingested: ReadonlyMap<string, number>): boolean {
  return answers.every((answer) => (ingested.get(answer.doc) ?? 0) >= answer.reported);
}

/**
 * The page clock up to which the harness holds everything: the earliest answer (each page's
 * records up to its answer are in), or undefined when no page answered.
 */
export function drainedUntil(answers: readonly DrainAnswer[]): number | undefined {
  return answers.length === 0 ? undefined : Math.min(...answers.map((answer) => answer.at));
}
