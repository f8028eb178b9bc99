import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AGENT_EVENTS, type Budgets } from '../../harness/config.ts';
import { agentEventOf } from '../../harness/frames.ts';
import { evaluateRun, type Judgement, missingEvents, settleWindowMs } from '../../harness/run-verdict.ts';
import { GENEROUS, GOLDEN_STEPS, runInput, socket, T0, Transcript, without } from './helpers/frames.ts';

/** Assert a failure with exactly `code` whose summary holds every one of `words`. */
function assertFailed<T>(verdict: Judgement<T>, code: string, ...words: string[]): string {
  assert.equal(verdict.state, 'failed', `expected [${code}], got ${JSON.stringify(verdict, null, 1)}`);
  if (verdict.state !== 'failed') return '';
  assert.equal(verdict.code, code, verdict.summary);
  for (const word of words)
    assert.ok(verdict.summary.includes(word), `"${word}" not in:\n${verdict.summary}`);
  return verdict.summary;
}

function assertPending<T>(verdict: Judgement<T>, waitingFor: string): void {
  assert.deepEqual(verdict, { state: 'pending', waitingFor });
}

/** The event types named by steps, in order, as the verdicts list them. */
const eventTypes = (steps: readonly string[]) =>
  steps
    .map((step) => step.split(':')[0] ?? '')
    .filter((kind) => (AGENT_EVENTS as readonly string[]).includes(kind))
    .join(', ');

function scenario(steps: readonly string[], thread = 'thread-1') {
  const transcript = new Transcript();
  transcript.established(-900);
  const message = transcript.send('What is 6 x 7?', thread);
  transcript.play(steps, { thread });
  return { transcript, message };
}

describe('evaluateRun: a correct run', () => {
  test('passes with heartbeats, pings, binary and non-JSON frames interleaved and mixed timestamp formats', () => {
    const { transcript, message } = scenario(GOLDEN_STEPS);
    const verdict = evaluateRun(runInput(transcript, message));
    assert.equal(verdict.state, 'passed', JSON.stringify(verdict));
    if (verdict.state !== 'passed') return;
    const run = verdict.value;
    assert.equal(run.runId, 'run-1');
    assert.equal(run.threadId, 'thread-1');
    assert.equal(run.result, 'the answer');
    assert.deepEqual(
      run.timeline.map((entry) => entry.type),
      eventTypes(GOLDEN_STEPS).split(', '),
    );
    // Times come from browser arrival (100 ms apart from +100), never from server timestamps.
    assert.deepEqual(
      run.timeline.map((entry) => entry.ms),
      [200, 400, 600, 700, 1000, 1100, 1300, 1400],
    );
    assert.deepEqual(
      run.timeline.filter((entry) => entry.toolName).map((entry) => entry.toolName),
      ['search', 'search', 'calculator', 'calculator'],
    );
    assert.ok(
      run.transcript.some((line) => line.includes('+200ms ← agent_started run=run-1 thread=thread-1')),
    );
    assert.ok(run.transcript.some((line) => line.includes('binary frame, 16 bytes')));
    assert.ok(run.transcript.some((line) => line.includes('not JSON')));
    assert.equal(run.transcript.at(-1), '(+5 heartbeat/ping/progress frame(s) not listed)');
  });

  test('ignores frames from before the message, including an earlier run on the same thread', () => {
    const transcript = new Transcript();
    transcript.established(-5_000);
    transcript.send('first', 'thread-1', -4_000);
    transcript.play(['agent_started', 'agent_completed'], { run: 'run-0', start: -3_900 });
    const message = transcript.send('second', 'thread-1', 0);
    transcript.play(GOLDEN_STEPS);
    const verdict = evaluateRun(runInput(transcript, message));
    assert.equal(verdict.state, 'passed', JSON.stringify(verdict));
    assert.equal(verdict.state === 'passed' && verdict.value.runId, 'run-1');
  });

  test('a stale agent_completed of the previous run arriving after the message is not this run', () => {
    const transcript = new Transcript();
    const message = transcript.send('second');
    transcript.event('agent_completed', 50, { run: 'run-0', result: 'old answer' });
    transcript.play(['agent_started', 'agent_thinking']);
    const pending = evaluateRun(runInput(transcript, message));
    assertPending(pending, 'tool_executing');
    transcript.play(['tool_executing:search', 'tool_completed:search', 'agent_completed'], { start: 300 });
    const verdict = evaluateRun(runInput(transcript, message));
    assert.equal(verdict.state, 'passed', JSON.stringify(verdict));
    if (verdict.state === 'passed') {
      assert.equal(verdict.value.runId, 'run-1');
      assert.equal(verdict.value.result, 'the answer');
    }
  });

  test('runs on another of this page’s own threads are not leaks', () => {
    const transcript = new Transcript();
    transcript.send('other chat', 'thread-0', -10);
    const message = transcript.send('this chat', 'thread-1', 0);
    transcript.play(['agent_started', 'agent_thinking'], { thread: 'thread-0', run: 'run-0', start: 50 });
    transcript.play(GOLDEN_STEPS, { start: 60 });
    const verdict = evaluateRun(
      runInput(transcript, message, { ownThreadIds: new Set(['thread-0', 'thread-1']) }),
    );
    assert.equal(verdict.state, 'passed', JSON.stringify(verdict));
  });

  test('overlapping tools are paired by tool_name', () => {
    const steps = [
      'agent_started',
      'agent_thinking',
      'tool_executing:search',
      'tool_executing:calculator',
      'tool_completed:calculator',
      'tool_completed:search',
      'agent_completed',
    ];
    const { transcript, message } = scenario(steps);
    assert.equal(evaluateRun(runInput(transcript, message)).state, 'passed');
  });

  test('waits, naming the next event, while the run is in progress', () => {
    const { transcript, message } = scenario(['agent_started', 'agent_thinking', 'tool_executing:search']);
    assertPending(evaluateRun(runInput(transcript, message)), 'tool_completed');
    const empty = scenario([]);
    assertPending(evaluateRun(runInput(empty.transcript, empty.message)), 'agent_started');
  });
});

describe('evaluateRun: EVENT_MISSING', () => {
  for (const dropped of AGENT_EVENTS.filter((type) => type !== 'agent_completed')) {
    test(`names a dropped ${dropped} and lists what arrived`, () => {
      const steps = without(GOLDEN_STEPS, dropped);
      const { transcript, message } = scenario(steps);
      const verdict = evaluateRun(runInput(transcript, message));
      const summary = assertFailed(
        verdict,
        'EVENT_MISSING',
        `missing ${dropped} in run run-1`,
        `arrived: ${eventTypes(steps)}`,
      );
      assert.ok(summary.includes('frames on the agent socket since the message was sent'));
    });
  }

  test('names a dropped agent_completed at E2E_EVENT_TIMEOUT_MS and lists what arrived', () => {
    const steps = without(GOLDEN_STEPS, 'agent_completed');
    const { transcript, message } = scenario(steps);
    assertPending(evaluateRun(runInput(transcript, message, { elapsedMs: 29_999 })), 'agent_completed');
    const verdict = evaluateRun(runInput(transcript, message, { elapsedMs: 30_000 }));
    assertFailed(
      verdict,
      'EVENT_MISSING',
      'after 30000 ms (E2E_EVENT_TIMEOUT_MS)',
      'still missing agent_completed;',
      `arrived: ${eventTypes(steps)}`,
    );
  });

  test('a run that never started times out naming all five and "arrived: nothing"', () => {
    const { transcript, message } = scenario(['heartbeat', 'heartbeat']);
    const verdict = evaluateRun(runInput(transcript, message, { elapsedMs: 31_000 }));
    assertFailed(verdict, 'EVENT_MISSING', `still missing ${AGENT_EVENTS.join(', ')}; arrived: nothing`);
  });

  test('stays pending until settled when agent_completed arrived but an event is missing', () => {
    const { transcript, message } = scenario(without(GOLDEN_STEPS, 'tool_executing'));
    assertPending(
      evaluateRun(runInput(transcript, message, { settled: false })),
      'the settle window after agent_completed',
    );
    assertFailed(
      evaluateRun(runInput(transcript, message, { settled: true })),
      'EVENT_MISSING',
      'tool_executing',
    );
  });

  test('names the tool left executing when another tool completed', () => {
    const steps = [
      'agent_started',
      'agent_thinking',
      'tool_executing:search',
      'tool_completed:search',
      'tool_executing:calculator',
      'agent_completed',
    ];
    const { transcript, message } = scenario(steps);
    assertFailed(
      evaluateRun(runInput(transcript, message)),
      'EVENT_MISSING',
      'missing tool_completed for calculator',
    );
  });

  test('missingEvents groups tools without a name under "(no tool_name)"', () => {
    const transcript = new Transcript();
    transcript.play([
      'agent_started',
      'agent_thinking',
      'tool_executing',
      'tool_executing:x',
      'tool_completed:x',
    ]);
    const events = transcript.frames.map(agentEventOf).filter((event) => event !== undefined);
    assert.deepEqual(missingEvents(events), ['agent_completed', 'tool_completed for (no tool_name)']);
  });
});

describe('evaluateRun: EVENT_ORDER', () => {
  test('tool_completed before its tool_executing', () => {
    const steps = [
      'agent_started',
      'agent_thinking',
      'tool_completed:search',
      'tool_executing:search',
      'agent_completed',
    ];
    const { transcript, message } = scenario(steps);
    assertFailed(
      evaluateRun(runInput(transcript, message)),
      'EVENT_ORDER',
      'tool_completed for search arrived before its tool_executing',
      `order seen: ${eventTypes(steps)}`,
    );
  });

  test('tools are paired by tool_name, not by position', () => {
    const steps = [
      'agent_started',
      'agent_thinking',
      'tool_executing:search',
      'tool_completed:calculator',
      'tool_executing:calculator',
      'tool_completed:search',
      'agent_completed',
    ];
    const { transcript, message } = scenario(steps);
    assertFailed(
      evaluateRun(runInput(transcript, message)),
      'EVENT_ORDER',
      'tool_completed for calculator arrived before its tool_executing',
    );
  });

  test('agent_completed before thinking: pending while settling, EVENT_ORDER the moment a later event arrives', () => {
    const transcript = new Transcript();
    const message = transcript.send('hi');
    transcript.play(['agent_started', 'agent_completed']);
    assertPending(
      evaluateRun(runInput(transcript, message, { settled: false })),
      'the settle window after agent_completed',
    );
    transcript.play(['agent_thinking'], { start: 300 });
    assertFailed(
      evaluateRun(runInput(transcript, message, { settled: false })),
      'EVENT_ORDER',
      'agent_completed arrived before agent_thinking',
    );
    transcript.play(['tool_executing:search', 'tool_completed:search'], { start: 400 });
    assertFailed(
      evaluateRun(runInput(transcript, message)),
      'EVENT_ORDER',
      'agent_completed arrived before agent_thinking, tool_executing, tool_completed',
    );
  });

  test('agent_started after thinking', () => {
    const steps = [
      'agent_thinking',
      'agent_started',
      'tool_executing:a',
      'tool_completed:a',
      'agent_completed',
    ];
    const { transcript, message } = scenario(steps);
    assertFailed(
      evaluateRun(runInput(transcript, message)),
      'EVENT_ORDER',
      'agent_started arrived after agent_thinking',
    );
  });

  test('tool_executing before the first thinking', () => {
    const steps = [
      'agent_started',
      'tool_executing:a',
      'tool_completed:a',
      'agent_thinking',
      'agent_completed',
    ];
    const { transcript, message } = scenario(steps);
    assertFailed(
      evaluateRun(runInput(transcript, message)),
      'EVENT_ORDER',
      'tool_executing arrived before agent_thinking',
    );
  });
});

describe('evaluateRun: EVENT_LATENCY', () => {
  const budgets = (overrides: Partial<Budgets>): Budgets => ({ ...GENEROUS, ...overrides });

  test('an event that arrived later than its budget', () => {
    const { transcript, message } = scenario(GOLDEN_STEPS);
    assertFailed(
      evaluateRun(runInput(transcript, message, { budgets: budgets({ agent_started: 150 }) })),
      'EVENT_LATENCY',
      'agent_started arrived 200 ms after the message; budget 150 ms',
    );
    assert.equal(
      evaluateRun(runInput(transcript, message, { budgets: budgets({ agent_started: 200 }) })).state,
      'passed',
    );
  });

  test('the next event has not arrived and its budget has passed', () => {
    const { transcript, message } = scenario(['agent_started', 'agent_thinking']);
    const tight = budgets({ tool_executing: 15_000 });
    assertPending(
      evaluateRun(runInput(transcript, message, { budgets: tight, elapsedMs: 15_000 })),
      'tool_executing',
    );
    assertFailed(
      evaluateRun(runInput(transcript, message, { budgets: tight, elapsedMs: 16_000 })),
      'EVENT_LATENCY',
      'tool_executing not arrived 16000 ms after the message; budget 15000 ms (E2E_EVENT_BUDGETS_MS)',
    );
  });

  test('agent_started not arrived past its budget', () => {
    const { transcript, message } = scenario(['heartbeat']);
    assertFailed(
      evaluateRun(
        runInput(transcript, message, { budgets: budgets({ agent_started: 3_000 }), elapsedMs: 3_001 }),
      ),
      'EVENT_LATENCY',
      'agent_started not arrived 3001 ms',
      'budget 3000 ms',
    );
  });
});

describe('evaluateRun: CROSS_USER_LEAK', () => {
  test("another conversation's run on this socket", () => {
    const transcript = new Transcript();
    const message = transcript.send('hi');
    transcript.play(['agent_started', 'agent_thinking']);
    transcript.event('agent_started', 250, { run: 'run-bob', thread: 'thread-bob' });
    transcript.play(['tool_executing:a', 'tool_completed:a', 'agent_completed'], { start: 300 });
    assertFailed(
      evaluateRun(runInput(transcript, message)),
      'CROSS_USER_LEAK',
      'agent_started of another conversation (run run-bob, thread thread-bob)',
      '+250ms',
      'thread(s) thread-1',
    );
  });

  test("another user's event, even on a thread id this page used", () => {
    const { transcript, message } = scenario(['agent_started']);
    transcript.event('agent_thinking', 150, { user: 'u-bob', run: 'run-x' });
    assertFailed(
      evaluateRun(runInput(transcript, message)),
      'CROSS_USER_LEAK',
      'agent_thinking of user u-bob',
    );
  });

  test('events carrying the signed-in user id are not leaks', () => {
    const transcript = new Transcript();
    const message = transcript.send('hi');
    transcript.play(eventTypes(GOLDEN_STEPS).split(', '), { user: 'u-alice' });
    assert.equal(evaluateRun(runInput(transcript, message)).state, 'passed');
  });
});

describe('evaluateRun: WS_CLOSED_EARLY', () => {
  test('the carrier socket closed mid-run', () => {
    const { transcript, message } = scenario(['agent_started', 'agent_thinking']);
    const closed = socket({ openedAt: T0 - 900, closedAt: T0 + 700, closeCode: 1006, wasClean: false });
    assertFailed(
      evaluateRun(runInput(transcript, message, { sockets: [closed] })),
      'WS_CLOSED_EARLY',
      'closed 1006 (no reason) 700 ms after the message, before agent_completed',
      'run run-1 had: agent_started, agent_thinking',
    );
    const reasoned = { ...closed, closeCode: 1001, closeReason: 'server restarting' };
    assertFailed(
      evaluateRun(runInput(transcript, message, { sockets: [reasoned] })),
      'WS_CLOSED_EARLY',
      'closed 1001 "server restarting"',
    );
  });

  test('closed before the run started', () => {
    const { transcript, message } = scenario([]);
    const closed = socket({ openedAt: T0 - 900, closedAt: T0 + 10, closeCode: 1006 });
    assertFailed(
      evaluateRun(runInput(transcript, message, { sockets: [closed] })),
      'WS_CLOSED_EARLY',
      'run (never started) had: nothing',
    );
  });

  test('another socket closing does not end this run', () => {
    const { transcript, message } = scenario(['agent_started']);
    const sockets = [socket({ openedAt: T0 - 900 }), socket({ id: 2, closedAt: T0 + 50, closeCode: 1006 })];
    assertPending(evaluateRun(runInput(transcript, message, { sockets })), 'agent_thinking');
  });

  test('a close after agent_completed is no failure', () => {
    const { transcript, message } = scenario(GOLDEN_STEPS);
    const sockets = [socket({ openedAt: T0 - 900, closedAt: T0 + 5_000, closeCode: 1000 })];
    assert.equal(evaluateRun(runInput(transcript, message, { sockets })).state, 'passed');
  });
});

describe('evaluateRun: watched after agent_completed', () => {
  test('pending through the settle window, then passed', () => {
    const { transcript, message } = scenario(GOLDEN_STEPS);
    assertPending(
      evaluateRun(runInput(transcript, message, { settled: false })),
      'the settle window after agent_completed',
    );
    assert.equal(
      evaluateRun(runInput(transcript, message, { settled: true, settleMs: 400 })).state,
      'passed',
    );
  });

  test("another user's frame right after agent_completed is CROSS_USER_LEAK, not a pass", () => {
    const { transcript, message } = scenario(GOLDEN_STEPS);
    transcript.event('agent_started', 1_600, { run: 'run-9', thread: 'thread-bob', user: 'u-bob' });
    assertFailed(
      evaluateRun(runInput(transcript, message, { settled: false })),
      'CROSS_USER_LEAK',
      'agent_started of user u-bob (run run-9, thread thread-bob)',
    );
  });

  test('an event of this run after agent_completed is EVENT_ORDER at once', () => {
    const { transcript, message } = scenario(GOLDEN_STEPS);
    transcript.event('agent_thinking', 1_600);
    assertFailed(
      evaluateRun(runInput(transcript, message, { settled: false })),
      'EVENT_ORDER',
      'agent_completed arrived before agent_thinking in run run-1',
    );
  });

  test('a missing event names how long the run was watched', () => {
    const { transcript, message } = scenario(without(GOLDEN_STEPS, 'tool_completed'));
    assertFailed(
      evaluateRun(runInput(transcript, message, { settleMs: 300 })),
      'EVENT_MISSING',
      'watched 300 ms after the last event',
    );
  });
});

describe('settleWindowMs', () => {
  test('twice the median gap between event frames, within its bounds', () => {
    assert.equal(settleWindowMs([0, 100, 200, 300, 400]), 250);
    assert.equal(settleWindowMs([0, 200, 400, 1_000]), 400);
    assert.equal(settleWindowMs([0, 2_000, 4_000]), 1_500);
    assert.equal(settleWindowMs([0]), 250);
    assert.equal(settleWindowMs([]), 250);
  });
});

describe('evaluateRun: the carrier socket closed by policy', () => {
  const closedWith = (code: number, reason: string) =>
    socket({ openedAt: T0 - 900, closedAt: T0 + 50, closeCode: code, closeReason: reason });

  test('1008 about the session after authentication is WS_AUTH_REJECTED', () => {
    const { transcript, message } = scenario([]);
    assertFailed(
      evaluateRun(
        runInput(transcript, message, { sockets: [closedWith(1008, 'auth failed: session revoked')] }),
      ),
      'WS_AUTH_REJECTED',
      'closed 1008 "auth failed: session revoked" 50 ms after the message',
    );
  });

  test('1008 for a rate limit is WS_CLOSED_EARLY', () => {
    const { transcript, message } = scenario(['agent_started']);
    assertFailed(
      evaluateRun(runInput(transcript, message, { sockets: [closedWith(1008, 'rate limit exceeded')] })),
      'WS_CLOSED_EARLY',
      'closed 1008 "rate limit exceeded"',
    );
  });
});
