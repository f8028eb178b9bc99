import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { describe, test } from 'node:test';
import { ON_PAGE_CLOCK, waitForDecision } from '../../fixtures/decision-wait.ts';
import type { FrameRecord } from '../../harness/frames.ts';
import { drained, drainedUntil, standsWithoutDrain } from '../../harness/page-drain.ts';
import { evaluateRun, type Judgement } from '../../harness/run-verdict.ts';
import { GENEROUS, runInput, T0, Transcript } from './helpers/frames.ts';

const failed = (code: 'EVENT_LATENCY' | 'WS_CLOSED_EARLY'): Judgement<string> => ({
  state: 'failed',
  code,
  summary: code,
});
const pending: Judgement<string> = { state: 'pending', waitingFor: 'tool_executing' };

describe('standsWithoutDrain: which decisions need everything the page holds first', () => {
  test('a failure the same records give at elapsed 0 stands: evidence decided it', () => {
    assert.equal(
      standsWithoutDrain(failed('WS_CLOSED_EARLY'), () => failed('WS_CLOSED_EARLY')),
      true,
    );
  });
  test('a failure that only the elapsed time gave (a budget ran out) does not', () => {
    assert.equal(
      standsWithoutDrain(failed('EVENT_LATENCY'), () => pending),
      false,
    );
  });
  test('a pass does not (a record in transit could undo it); pending needs nothing', () => {
    assert.equal(
      standsWithoutDrain<string>({ state: 'passed', value: 'ok' }, () => pending),
      false,
    );
    assert.equal(
      standsWithoutDrain(pending, () => pending),
      true,
    );
  });
});

describe('drained, drainedUntil', () => {
  const answers = [
    { doc: 'a', reported: 3, at: T0 + 50 },
    { doc: 'b', reported: 1, at: T0 + 20 },
  ];
  test('complete only when every document has as many records in as it reported', () => {
    assert.equal(drained(answers, new Map([['a', 3]])), false);
    assert.equal(
      drained(
        answers,
        new Map([
          ['a', 2],
          ['b', 1],
        ]),
      ),
      false,
    );
    assert.equal(
      drained(
        answers,
        new Map([
          ['a', 4],
          ['b', 1],
        ]),
      ),
      true,
    );
  });
  test('everything is in up to the earliest answer; no answer, no page clock', () => {
    assert.equal(drainedUntil(answers), T0 + 20);
    assert.equal(drainedUntil([]), undefined);
  });
});

describe('waitForDecision: a harness behind the page', () => {
  const budgets = { ...GENEROUS, tool_executing: 30 };

  /** A run whose frames after thinking the harness has not taken in yet; the page has them. */
  function behind() {
    const transcript = new Transcript();
    transcript.established(-900);
    const message = transcript.send('What is 6 x 7?');
    transcript.event('agent_started', 2);
    transcript.event('agent_thinking', 4);
    const seen = transcript.frames.length;
    transcript.event('tool_executing', 20, { tool: 'search' });
    transcript.event('tool_completed', 22, { tool: 'search' });
    transcript.event('agent_completed', 24);
    const held = transcript.frames.splice(seen);
    return { transcript, message, held };
  }

  function wait(frames: FrameRecord[], message: ReturnType<typeof behind>['message'], drain: () => void) {
    let drains = 0;
    const transcript = { frames } as Transcript;
    return {
      drains: () => drains,
      verdict: waitForDecision({
        origin: performance.now(),
        originAt: message.frame.at,
        evaluate: (elapsedMs) => evaluateRun(runInput(transcript, message, { budgets, elapsedMs })),
        deadlines: () => Object.values(budgets),
        listeners: new Set(),
        drain: async () => {
          drains += 1;
          drain();
          // The page answered at +40 ms on its own clock: everything it had by then is in.
          return T0 + 40;
        },
      }),
    };
  }

  test('a frame that arrived on the page before its budget but reached the harness after it is not EVENT_LATENCY', async () => {
    const { transcript, message, held } = behind();
    const run = wait(transcript.frames, message, () => transcript.frames.push(...held));
    const verdict = await run.verdict;
    assert.equal(verdict.state, 'passed', JSON.stringify(verdict));
    assert.ok(run.drains() >= 1, 'the deadline drained the page before deciding');
  });

  test('when the page really did not have it, the budget fails, on the page clock', async () => {
    const { transcript, message } = behind();
    const verdict = await wait(transcript.frames, message, () => {}).verdict;
    assert.equal(verdict.state, 'failed');
    if (verdict.state !== 'failed') return;
    assert.equal(verdict.code, 'EVENT_LATENCY');
    assert.match(verdict.summary, /tool_executing not arrived 40 ms after the message; budget 30 ms/);
    assert.ok(verdict.summary.endsWith(ON_PAGE_CLOCK), verdict.summary);
  });
});
