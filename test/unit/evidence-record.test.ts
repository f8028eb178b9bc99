/**
 * The evidence record is built once, from what Playwright reports of a test, and read by
 * everything after the run; and the pieces of the run's context other modules share.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TestCase, TestResult } from '@playwright/test/reporter';
import { environmentBlock, fromProperties, publicUrl, toProperties } from '../../harness/environment.ts';
import { diagnosisOf, setupRecord, testRecord } from '../../harness/evidence-record.ts';
import { featureTagOf, reportLabels } from '../../harness/spec-tags.ts';
import { textTable } from '../../harness/text-table.ts';

const json = (value: unknown) => Buffer.from(JSON.stringify(value));

function fakeTest(tags: string[] = ['@golden-path']): TestCase {
  return {
    titlePath: () => ['', 'chromium', 'golden-path.spec.ts', 'golden path', 'a user chats'],
    location: { file: '/repo/e2e/golden-path.spec.ts', line: 1, column: 1 },
    parent: { project: () => ({ name: 'chromium' }) },
    tags,
  } as unknown as TestCase;
}

function fakeResult(extra: Partial<TestResult> = {}): TestResult {
  return {
    status: 'failed',
    duration: 1234,
    annotations: [],
    errors: [
      {
        message:
          '\u001b[31mError: expect(recorder).toHaveAgentRun()\u001b[39m\n\n[EVENT_MISSING] missing tool_completed\nmore',
      },
    ],
    steps: [
      { title: 'sign in', category: 'test.step', error: undefined },
      { title: 'expect.toHaveAgentRun', category: 'expect', error: undefined },
      { title: 'the five agent events arrive', category: 'test.step', error: { message: 'x' } },
    ],
    attachments: [
      {
        name: 'agent-run-timeline.json',
        contentType: 'application/json',
        body: json({ runId: 'run_1', timeline: [{ type: 'agent_started', ms: 40, runId: 'run_1' }] }),
      },
      {
        name: 'agent-socket-transcript.json',
        contentType: 'application/json',
        body: json({
          sockets: [
            {
              id: 1,
              url: 'ws://a/ws',
              pageUrl: 'http://f/chat',
              createdAt: 1,
              openedAt: 5,
              protocol: 'jwt-auth',
            },
          ],
        }),
      },
    ],
    ...extra,
  } as unknown as TestResult;
}

describe('the evidence record', () => {
  it('holds the code as data, the summary from the code on, the timeline, steps and sockets', () => {
    const record = testRecord(fakeTest(), fakeResult(), '/repo');
    assert.deepEqual(record, {
      title: 'chromium › golden-path.spec.ts › golden path › a user chats',
      file: 'e2e/golden-path.spec.ts',
      project: 'chromium',
      tags: ['@golden-path'],
      status: 'failed',
      code: 'EVENT_MISSING',
      summary: '[EVENT_MISSING] missing tool_completed',
      durationMs: 1234,
      timeline: [{ type: 'agent_started', ms: 40, runId: 'run_1' }],
      steps: [
        { title: 'sign in', ok: true },
        { title: 'the five agent events arrive', ok: false },
      ],
      sockets: [{ id: 1, url: 'ws://a/ws', openedAt: 5, protocol: 'jwt-auth' }],
    });
  });

  it('a passing test without attachments has no code, summary, timeline or sockets', () => {
    const record = testRecord(
      fakeTest([]),
      fakeResult({ status: 'passed', errors: [], steps: [], attachments: [] }),
    );
    assert.deepEqual(Object.keys(record).sort(), ['durationMs', 'file', 'project', 'status', 'title']);
  });

  it('a global-setup failure is a record of its own, with its code', () => {
    assert.deepEqual(
      setupRecord({ message: 'Error: [USER_UNKNOWN] nobody@example.test does not exist\n  at x' }),
      {
        title: 'global setup',
        status: 'failed',
        code: 'USER_UNKNOWN',
        summary: '[USER_UNKNOWN] nobody@example.test does not exist',
      },
    );
  });

  it('the diagnosis counts the records by status', () => {
    const records = [setupRecord({ message: '[CONFIG_INVALID] x' }), testRecord(fakeTest(), fakeResult())];
    const diagnosis = diagnosisOf('failed', 1_000, records, 3_500);
    assert.deepEqual(diagnosis.counts, { failed: 2 });
    assert.equal(diagnosis.durationMs, 2_500);
    assert.equal(diagnosis.startedAt, new Date(1_000).toISOString());
  });
});

describe('the run context shared between modules', () => {
  it('environment.properties round-trips, escapes included', () => {
    const block = environmentBlock({
      env: 'staging',
      urls: { frontend: 'https://user:pw@app.example/?token=x' },
      services: { auth: { service: 'auth', version: '1.2.0', environment: 'staging' } },
      commit: 'abc (with uncommitted changes)',
    });
    assert.deepEqual(block[1], ['frontend url', 'https://app.example']);
    assert.deepEqual(fromProperties(toProperties(block)), block);
    assert.equal(publicUrl('not a url'), '(not a URL)');
  });

  it('one list of spec tags for labels and the sign-off', () => {
    assert.equal(featureTagOf({ file: 'e2e/auth.spec.ts', tags: [] }), '@auth');
    assert.equal(featureTagOf({ file: 'x.ts', tags: ['@isolation'] }), '@isolation');
    const labels = reportLabels({
      file: 'e2e/golden-path.spec.ts',
      tags: [],
      titlePath: ['a user @golden-path'],
    });
    assert.deepEqual([labels.severity, labels.story, labels.tag], ['blocker', 'a user', '@golden-path']);
  });

  it('a text table pads columns, numbers to the right', () => {
    assert.deepEqual(
      textTable(
        ['a', 'ms'],
        [
          ['long', '5'],
          ['x', '100'],
        ],
        { rightAligned: [1] },
      ),
      ['a      ms', 'long    5', 'x     100'],
    );
  });
});
