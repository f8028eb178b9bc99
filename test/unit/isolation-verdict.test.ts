import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { foreignMarks, pageLeak, socketLeak } from '../../harness/isolation-verdict.ts';
import { failureWithPageErrors, pageErrorFailure } from '../../harness/page-error-precedence.ts';

const mine = { runId: 'run_a', threadId: 'th_a', userId: 'usr_a', answer: 'Answer for A' };
const theirs = { runId: 'run_b', threadId: 'th_b', userId: 'usr_b', answer: 'Answer for B' };

describe('one journey carries nothing of another', () => {
  test("the other's run, thread and user are foreign; a run id both share is not", () => {
    assert.deepEqual(foreignMarks(mine, theirs), ['run_b', 'th_b', 'usr_b']);
    assert.deepEqual(foreignMarks(mine, { ...theirs, runId: 'run_a', userId: undefined }), ['th_b']);
  });

  test('a frame naming any of them, in any field, is CROSS_USER_LEAK naming the frame', () => {
    const frames = [
      { seq: 1, json: { type: 'x', user_id: 'usr_a' } },
      { seq: 2, json: { type: 'y', nested: { deep: ['th_b'] } } },
    ];
    assert.deepEqual(socketLeak('a@example.com', frames, mine, theirs), {
      code: 'CROSS_USER_LEAK',
      summary: "frame #2 on a@example.com's socket mentions the other user's run, thread or id",
    });
    assert.equal(socketLeak('a@example.com', frames.slice(0, 1), mine, theirs), undefined);
    assert.equal(socketLeak('a@example.com', [{ seq: 3 }], mine, theirs), undefined);
  });

  test("the page showing the other's answer is CROSS_USER_LEAK; an empty answer matches nothing", () => {
    assert.equal(pageLeak('a@example.com', ['Answer for A'], theirs), undefined);
    assert.deepEqual(pageLeak('a@example.com', ['x', 'see: Answer for B'], theirs), {
      code: 'CROSS_USER_LEAK',
      summary: "a@example.com's page shows the other user's answer",
    });
    assert.equal(pageLeak('a@example.com', ['anything'], { ...theirs, answer: '' }), undefined);
    assert.equal(pageLeak('a@example.com', ['[object Object]'], { ...theirs, answer: {} }), undefined);
  });
});

describe('page-error precedence', () => {
  const errors = [{ at: 1, message: 'boom', pageUrl: 'http://127.0.0.1:1/app/chat?x=1' }];
  const unrendered = { code: 'UI_NOT_RENDERED' as const, summary: 'answer not shown' };

  test('no errors: nothing, or the symptom itself', () => {
    assert.equal(pageErrorFailure([], 'after the run'), undefined);
    assert.deepEqual(failureWithPageErrors([], 'after the run', unrendered), unrendered);
  });

  test('an error the page raised is the cause of what it then failed to show', () => {
    assert.deepEqual(failureWithPageErrors(errors, 'while the page rendered the run', unrendered), {
      code: 'PAGE_ERROR',
      summary:
        'the page raised 1 uncaught error(s) while the page rendered the run; first: "boom" on /app/chat',
    });
  });

  test('but not of a leak or of anything judged on the wire', () => {
    for (const code of ['CROSS_USER_LEAK', 'WS_AUTH_REJECTED', 'EVENT_MISSING'] as const) {
      const symptom = { code, summary: 's' };
      assert.deepEqual(failureWithPageErrors(errors, 'w', symptom), symptom);
    }
  });
});
