/**
 * The sign-off's latency drift and its webhook notice: drift is a warning with its numbers that
 * never rejects, says so when the history is too short, and the notice carries what the
 * webhook message needs.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { AGENT_EVENTS, type AgentEventType } from '../../harness/config.ts';
import { DRIFT_DEFAULTS } from '../../harness/latency-drift.ts';
import { appendLatencyHistory, type HistoryRun } from '../../harness/latency-history.ts';
import type { TimelineEntry } from '../../harness/run-verdict.ts';
import { decide } from '../../harness/signoff/decide.ts';
import { envHistory } from '../../harness/signoff/evidence.ts';
import { noticeOf } from '../../harness/signoff/notice.ts';
import { toConsole, toMarkdown } from '../../harness/signoff/render.ts';
import { evidence, healthyTests } from './helpers/signoff-evidence.ts';

/** An earlier run whose every event's p50 is `100 * (its place + 1)` ms, as the healthy timeline. */
const earlierRun = (night: number): HistoryRun => ({
  env: 'test',
  run: `2026-11-2${night}T00:00:00.000Z`,
  date: `2026-11-2${night}T00:10:00.000Z`,
  events: new Map(
    AGENT_EVENTS.map((event, index) => [
      event,
      { event, runs: 2, p50: 100 * (index + 1), max: 100 * (index + 1) },
    ]),
  ),
});

/** Tonight's tests, with agent_started at `startedMs` and the other events where they were. */
function tonight(startedMs: number) {
  const slowed: TimelineEntry[] = AGENT_EVENTS.map((type: AgentEventType, index) => ({
    type,
    ms: index === 0 ? startedMs : 100 * (index + 1),
    runId: 'run_1',
  }));
  return healthyTests().map((test) => (test.timeline ? { ...test, timeline: slowed } : test));
}

const history = (nights: number) => ({
  runs: Array.from({ length: nights }, (_, night) => earlierRun(night + 1)),
  settings: DRIFT_DEFAULTS,
});

describe('latency drift in the sign-off', () => {
  it('names a slowed event with its numbers as a warning, and still approves', () => {
    const verdict = decide(evidence(tonight(190), { history: history(4) }));
    assert.equal(verdict.verdict, 'APPROVED');
    assert.equal(verdict.drift?.state, 'checked');
    assert.deepEqual(
      verdict.drift?.findings.map((finding) => finding.event),
      ['agent_started'],
    );
    const warning = verdict.warnings.find((text) => text.startsWith('latency drift'));
    assert.match(
      warning ?? '',
      /agent_started p50 190 ms tonight, 90 % above the median 100 ms of the last 4 run\(s\)/,
    );
    assert.match(warning ?? '', /50 % over the median of the last 7 run\(s\); the budgets decide/);
    assert.match(toMarkdown(verdict), /## Warnings[\s\S]*latency drift/);
    assert.match(toConsole(verdict, 'v.md'), /warning: latency drift/);
  });

  it('does not fire on an unchanged run, and says it checked', () => {
    const verdict = decide(evidence(tonight(100), { history: history(4) }));
    assert.equal(verdict.drift?.findings.length, 0);
    assert.ok(!verdict.warnings.some((text) => text.includes('drift')));
    assert.match(toConsole(verdict, 'v.md'), /latency: no drift: no event's p50 more than 50 %/);
  });

  it('does not fire on too little history, and says so in the verdict', () => {
    const verdict = decide(evidence(tonight(190), { history: history(2) }));
    assert.equal(verdict.verdict, 'APPROVED');
    assert.equal(verdict.drift?.state, 'too-little-history');
    assert.deepEqual(verdict.warnings, []);
    const said =
      /drift not checked: 2 earlier run\(s\) of this env in the latency history, at least 3 needed/;
    assert.match(toMarkdown(verdict), said);
    assert.match(toConsole(verdict, 'v.md'), said);
  });

  it('is absent without a history (a decision from evidence alone)', () => {
    const verdict = decide(evidence(tonight(190)));
    assert.equal(verdict.drift, undefined);
    assert.doesNotMatch(toMarkdown(verdict), /drift/i);
  });
});

describe("the sign-off's view of the latency history", () => {
  it("keeps the env's runs: all for the trend, those but this run's for the drift", () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'drift-history-')), 'history.jsonl');
    const latency = [{ event: 'agent_started' as const, runs: 1, p50: 100, max: 100 }];
    for (const [env, run] of [
      ['staging', 'r1'],
      ['other', 'r2'],
      ['staging', 'r3'],
    ] as const) {
      appendLatencyHistory(file, { env, run, date: '2026-12-01T00:00:00.000Z' }, latency);
    }
    const { recent, earlier } = envHistory(file, 'staging', 'r3');
    assert.deepEqual(
      recent.map((run) => run.run),
      ['r1', 'r3'],
    );
    assert.deepEqual(
      earlier.map((run) => run.run),
      ['r1'],
    );
  });
});

describe('the webhook notice of a verdict', () => {
  it('carries the verdict, the failing criteria and codes, the cause, env, commit and link', () => {
    const failed = healthyTests().map((test) =>
      test.timeline
        ? {
            ...test,
            status: 'failed',
            code: 'EVENT_MISSING' as const,
            summary: '[EVENT_MISSING] no tool_completed',
          }
        : test,
    );
    const context: [string, string][] = [
      ['env', 'staging'],
      ['commit', 'abc123def456'],
    ];
    const notice = noticeOf(decide(evidence(failed), context), 'https://ci.example/runs/1');
    assert.equal(notice.verdict, 'REJECTED');
    assert.deepEqual(notice.failing[0], { title: 'Five events', codes: ['EVENT_MISSING'] });
    assert.match(notice.cause ?? '', /^\[EVENT_MISSING\] .*no tool_completed/);
    assert.equal(notice.env, 'staging');
    assert.equal(notice.commit, 'abc123def456');
    assert.equal(notice.reportUrl, 'https://ci.example/runs/1');
  });

  it('lists no failing criterion when approved', () => {
    const notice = noticeOf(decide(evidence(healthyTests()), [['env', 'staging']]));
    assert.equal(notice.verdict, 'APPROVED');
    assert.deepEqual(notice.failing, []);
    assert.equal(notice.cause, undefined);
    assert.equal(notice.reportUrl, undefined);
  });
});
