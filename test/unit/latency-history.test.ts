import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { DRIFT_DEFAULTS, detectDrift, driftSettings, median } from '../../harness/latency-drift.ts';
import {
  appendLatencyHistory,
  type EventLatency,
  eventLatency,
  historyRuns,
  latencyHistoryPath,
  readLatencyHistory,
} from '../../harness/latency-history.ts';
import { latencyTrendSvg } from '../../harness/latency-trend-svg.ts';
import type { TimelineEntry } from '../../harness/run-verdict.ts';

const tempFile = () => path.join(mkdtempSync(path.join(tmpdir(), 'latency-')), 'nested', 'history.jsonl');

const at = (type: TimelineEntry['type'], ms: number): TimelineEntry => ({ type, ms, runId: 'r' });

/** A run's latency with every event at `base` times its position, agent_completed at `completed`. */
function night(base: number, completed = base * 5): EventLatency[] {
  return eventLatency([
    [
      at('agent_started', base),
      at('agent_thinking', base * 2),
      at('tool_executing', base * 3),
      at('tool_completed', base * 4),
      at('agent_completed', completed),
    ],
  ]);
}

function recordNights(file: string, completed: number[], env = 'staging'): void {
  completed.forEach((ms, index) => {
    const date = `2026-11-${String(20 + index).padStart(2, '0')}T03:17:00.000Z`;
    appendLatencyHistory(file, { env, run: date, commit: `c${index}`, date }, night(100, ms));
  });
}

describe('latency history', () => {
  it('takes p50 and max of each event’s first arrival over the timelines', () => {
    const latency = eventLatency([
      [at('agent_started', 30), at('agent_thinking', 50), at('agent_thinking', 90)],
      [at('agent_started', 10)],
      [at('agent_started', 20), at('agent_thinking', 70)],
    ]);
    assert.deepEqual(latency, [
      { event: 'agent_started', runs: 3, p50: 20, max: 30 },
      { event: 'agent_thinking', runs: 2, p50: 50, max: 70 },
    ]);
  });

  it('appends one line per event type, once per run, and reads them back', () => {
    const file = tempFile();
    const run = {
      env: 'staging',
      run: '2026-11-30T03:17:00.000Z',
      commit: 'abc',
      date: '2026-11-30T03:20:00.000Z',
    };
    assert.equal(appendLatencyHistory(file, run, night(100)), true);
    assert.equal(appendLatencyHistory(file, run, night(999)), false, 'the same run was recorded twice');
    appendFileSync(file, '{"cut off\n');
    const records = readLatencyHistory(file);
    assert.equal(records.length, 5);
    assert.deepEqual(records[4], {
      env: 'staging',
      run: run.run,
      commit: 'abc',
      date: run.date,
      event: 'agent_completed',
      runs: 1,
      p50: 500,
      max: 500,
    });
  });

  it('groups the runs of one env, oldest first', () => {
    const file = tempFile();
    recordNights(file, [500, 510], 'staging');
    recordNights(file, [700], 'production');
    const runs = historyRuns(readLatencyHistory(file), 'staging');
    assert.deepEqual(
      runs.map((run) => run.events.get('agent_completed')?.p50),
      [500, 510],
    );
  });

  it('lives at E2E_LATENCY_HISTORY, else in the state folder', () => {
    assert.equal(latencyHistoryPath({ E2E_LATENCY_HISTORY: '/x/h.jsonl' }), '/x/h.jsonl');
    assert.equal(latencyHistoryPath({ E2E_STATE_DIR: '/s' }), '/s/latency-history.jsonl');
    assert.equal(latencyHistoryPath({}), path.resolve('.golden-path/latency-history.jsonl'));
  });
});

describe('latency drift', () => {
  const earlier = (completed: number[]) => {
    const file = tempFile();
    recordNights(file, completed);
    return historyRuns(readLatencyHistory(file), 'staging');
  };

  it('flags an event whose p50 is more than X % above the median of the last N runs, with the numbers', () => {
    const report = detectDrift(night(100, 900), earlier([500, 480, 520, 510]));
    assert.equal(report.state, 'checked');
    assert.deepEqual(report.findings, [
      { event: 'agent_completed', tonight: 900, median: 505, above: 78, over: 4 },
    ]);
    assert.match(
      report.note,
      /agent_completed p50 900 ms tonight, 78 % above the median 505 ms of the last 4 run\(s\)/,
    );
  });

  it('does not fire on the first runs, and says so', () => {
    const report = detectDrift(night(100, 5_000), earlier([500, 510]));
    assert.equal(report.state, 'too-little-history');
    assert.deepEqual(report.findings, []);
    assert.match(report.note, /drift not checked: 2 earlier run\(s\).*at least 3 needed/);
  });

  it('looks only at the last N runs, and ignores rises below the noise floor', () => {
    // Long ago agent_completed took 2 s; the last three runs took 500 ms: 900 ms is drift.
    const history = earlier([2_000, 2_000, 2_000, 500, 500, 500]);
    assert.equal(detectDrift(night(100, 900), history, { ...DRIFT_DEFAULTS, nights: 3 }).findings.length, 1);
    assert.equal(detectDrift(night(100, 900), history).findings.length, 0);
    const fast = earlier([20, 20, 20]);
    assert.deepEqual(detectDrift(night(10, 45), fast).findings, [], '+25 ms is noise, though +125 %');
    assert.match(detectDrift(night(100), earlier([500, 500, 500])).note, /^no drift/);
  });

  it('reads X and N from the environment and names bad values', () => {
    assert.deepEqual(driftSettings({}).settings, DRIFT_DEFAULTS);
    const { settings } = driftSettings({ E2E_DRIFT_PERCENT: '20', E2E_DRIFT_NIGHTS: '2' });
    assert.equal(settings.percent, 20);
    assert.equal(settings.nights, 2);
    assert.equal(settings.minHistory, 2);
    const bad = driftSettings({ E2E_DRIFT_PERCENT: 'lots', E2E_DRIFT_NIGHTS: '0' });
    assert.equal(bad.problems.length, 2);
    assert.match(bad.problems[0] ?? '', /E2E_DRIFT_PERCENT: "lots" is not a whole number/);
  });

  it('takes the median of an even count as the middle two’s mean', () => {
    assert.equal(median([4, 1, 3, 2]), 2.5);
    assert.equal(median([]), 0);
  });
});

describe('latency trend picture', () => {
  it('draws one series per event with a point per run, self-contained, text escaped', () => {
    const file = tempFile();
    recordNights(file, [500, 520, 900]);
    const svg = latencyTrendSvg({ env: 'a<b>', runs: historyRuns(readLatencyHistory(file), 'staging') });
    assert.doesNotMatch(svg, /<script|href=|url\(|<image/i);
    assert.match(svg, /last 3 run\(s\) of a&lt;b&gt;/);
    const series = [...svg.matchAll(/<g class="series" data-event="(\w+)">([\s\S]*?)<\/g>/g)];
    assert.equal(series.length, 5);
    for (const [, , body] of series) assert.equal((body?.match(/<circle/g) ?? []).length, 3);
  });

  it('says when there is no history yet', () => {
    assert.match(
      latencyTrendSvg({ env: 'staging', runs: [] }),
      /no runs of this env in the latency history yet/,
    );
  });
});
