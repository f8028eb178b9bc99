import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { deliveredCounts, type RenderFacts, renderFailure } from '../../harness/render-verdict.ts';
import { Transcript } from './helpers/frames.ts';

const run: RenderFacts['run'] = {
  runId: 'run-1',
  timeline: [
    { type: 'agent_started', ms: 100, runId: 'run-1' },
    { type: 'tool_executing', ms: 300, runId: 'run-1' },
    { type: 'agent_completed', ms: 900, runId: 'run-1' },
  ],
};

const ALL = new Map([
  ['agent_started', 1],
  ['agent_thinking', 1],
  ['tool_executing', 1],
  ['tool_completed', 1],
  ['agent_completed', 1],
]);

describe('what the page must show of a run', () => {
  test("events of the page's own threads only, counted by type", () => {
    const t = new Transcript();
    t.send('hi', 'thread-1');
    t.play(['agent_started', 'agent_thinking', 'agent_thinking', 'agent_completed']);
    t.event('agent_started', 900, { thread: 'thread-other', run: 'run-x' });
    assert.deepEqual(
      [...deliveredCounts(t.frames, new Set(['thread-1']))],
      [
        ['agent_started', 1],
        ['agent_thinking', 2],
        ['agent_completed', 1],
      ],
    );
  });

  test('the first unshown event is named, with its arrival and every count', () => {
    const failure = renderFailure({
      run,
      answer: 'the answer',
      delivered: ALL,
      shown: new Map([...ALL, ['tool_executing', 0]]),
      answers: ['the answer'],
      budgetMs: 3000,
      waited: 'Expected: 1 Received: 0',
    });
    assert.equal(failure.code, 'UI_NOT_RENDERED');
    assert.match(
      failure.summary,
      /^tool_executing \(arrived \+300 ms after the message\) is not shown within the 3000 ms render budget/,
    );
    assert.match(
      failure.summary,
      /rendered\/delivered agent_started 1\/1, agent_thinking 1\/1, tool_executing 0\/1/,
    );
    assert.match(failure.summary, /\nExpected: 1 Received: 0$/);
  });

  test('every event shown but not the answer: the answer is named', () => {
    const { summary } = renderFailure({
      run,
      answer: 'the answer',
      delivered: ALL,
      shown: ALL,
      answers: [],
      budgetMs: 3000,
      waited: '',
    });
    assert.match(summary, /^the answer \(agent_completed arrived \+900 ms after the message\) is not shown/);
  });

  test('everything shown and answered: the page showed more than was delivered', () => {
    const { summary } = renderFailure({
      run,
      answer: 'the answer',
      delivered: ALL,
      shown: new Map([...ALL, ['agent_thinking', 3]]),
      answers: ['so: the answer'],
      budgetMs: 3000,
      waited: '',
    });
    assert.match(summary, /^the page shows more events than the socket delivered/);
  });

  test('a result the dialect reads no answer from is not compared, and the message says so', () => {
    const { summary } = renderFailure({
      run,
      answer: undefined,
      delivered: ALL,
      shown: new Map([...ALL, ['agent_thinking', 3]]),
      answers: [],
      budgetMs: 3000,
      waited: '',
    });
    assert.match(summary, /^the page shows more events than the socket delivered/);
    assert.match(summary, /expected answer \(not compared\)/);
  });
});
