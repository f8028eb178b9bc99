/**
 * 7. Time to verdict: for each fault, how long the failing golden path took against the healthy
 * golden path of the same bench run. A fault whose evidence is complete early (a refusal, a
 * close, a run that completed without an event, frames the page does not show) must be decided
 * within healthy + 1.5 s; one that can only show as silence (a hang, a stall) within its
 * configured timeout plus 0.5 s of the moment the wait began, which the healthy run bounds from
 * above. Durations are the test's own, from diagnosis.json, so worker start-up is not counted.
 */
import { harnessEnv, runHarness, startPlatform } from '../../test/support/platform.ts';
import type { BenchContext } from '../context.ts';

/** The child runs' limits: the fault matrix's, so the numbers describe what `npm test` sees. */
export const VERDICT_LIMITS = {
  E2E_REPORT: 'minimal',
  E2E_TRACE: 'off',
  E2E_EVENT_TIMEOUT_MS: '6000',
  E2E_WS_HANDSHAKE_TIMEOUT_MS: '4000',
  E2E_EVENT_BUDGETS_MS: 'agent_started=1500',
  E2E_RENDER_BUDGET_MS: '3000',
} as const;

/**
 * `evidence`: complete as soon as the frame or close that proves it arrives. `render`: frames the
 * page does not show are proven unshown only once E2E_RENDER_BUDGET_MS has run out after their
 * arrival; that wait is the budget's meaning, so the limit counts it. `silence`: nothing arrives,
 * bounded by the named timeout.
 */
type Kind = 'evidence' | 'render' | 'silence';

/** The render budget the child runs get (the harness default). */
export const RENDER_BUDGET_MS = Number(VERDICT_LIMITS.E2E_RENDER_BUDGET_MS);

/** Faults with the kind of evidence they leave, and the wait that bounds it where there is one. */
export const VERDICT_FAULTS: [fault: string, kind: Kind, timeoutMs?: number][] = [
  ['ws-upgrade-403', 'evidence'],
  ['ws-close-1008', 'evidence'],
  ['ws-close-1011', 'evidence'],
  ['ws-close-mid-run', 'evidence'],
  ['drop-agent_started', 'evidence'],
  ['drop-agent_thinking', 'evidence'],
  ['drop-tool_executing', 'evidence'],
  ['drop-tool_completed', 'evidence'],
  ['tool-completed-before-executing', 'evidence'],
  ['completed-before-thinking', 'evidence'],
  ['cross-user-leak', 'evidence'],
  ['ui-throws', 'evidence'],
  ['agent-started-delayed', 'evidence'],
  ['ws-revoke-on-message', 'evidence'],
  ['ws-rate-limit-on-message', 'evidence'],
  ['ws-close-1000-mid-run', 'evidence'],
  ['event-after-completed', 'evidence'],
  ['leak-after-completed', 'evidence'],
  ['ui-not-rendered', 'render', RENDER_BUDGET_MS],
  ['ui-events-without-answer', 'render', RENDER_BUDGET_MS],
  ['ui-answer-without-tools', 'render', RENDER_BUDGET_MS],
  ['ui-renders-late', 'render', RENDER_BUDGET_MS],
  ['ws-handshake-hang', 'silence', Number(VERDICT_LIMITS.E2E_WS_HANDSHAKE_TIMEOUT_MS)],
  ['drop-agent_completed', 'silence', Number(VERDICT_LIMITS.E2E_EVENT_TIMEOUT_MS)],
  ['run-stalls', 'silence', Number(VERDICT_LIMITS.E2E_EVENT_TIMEOUT_MS)],
];

/** Evidence-complete verdicts may take at most this much longer than the healthy test. */
export const EVIDENCE_MARGIN_MS = 1_500;
export const SILENCE_MARGIN_MS = 500;

export interface VerdictTime {
  fault: string;
  kind: Kind;
  code: string | undefined;
  testMs: number | undefined;
  healthyMs: number;
  /** The most this fault's test may take. */
  limitMs: number;
  within: boolean;
}

export interface VerdictTimeResult {
  healthyMs: number;
  faults: VerdictTime[];
  /** Every fault decided within its limit. */
  met: boolean;
}

async function goldenPathMs(fault: string | undefined): Promise<{ ms: number | undefined; code?: string }> {
  const platform = await startPlatform({
    PLATFORM_RUN_SHAPE: 'fixed',
    ...(fault ? { PLATFORM_FAULT: fault } : {}),
  });
  try {
    const run = await runHarness(['--grep', '@golden-path'], harnessEnv(platform.urls, VERDICT_LIMITS));
    const test = run.diagnosis?.tests.find((entry) => entry.title.includes('golden path'));
    return { ms: test?.durationMs, ...(test?.code ? { code: test.code } : {}) };
  } finally {
    await platform.stop();
  }
}

export async function verdictTime(context: BenchContext): Promise<VerdictTimeResult> {
  // The healthy test before and after the faults: their slower one is the baseline, so a machine
  // that got busier halfway does not count against the faults.
  const before = await goldenPathMs(undefined);
  const faults = context.options.quick ? VERDICT_FAULTS.slice(0, 2) : VERDICT_FAULTS;
  const measured: { fault: string; kind: Kind; timeoutMs?: number; ms?: number; code?: string }[] = [];
  for (const [fault, kind, timeoutMs] of faults) {
    const { ms, code } = await goldenPathMs(fault);
    context.log(`[bench] verdict time: ${fault} → ${code ?? 'no code'} in ${ms ?? '?'} ms`);
    measured.push({
      fault,
      kind,
      ...(timeoutMs ? { timeoutMs } : {}),
      ...(ms ? { ms } : {}),
      ...(code ? { code } : {}),
    });
  }
  const after = await goldenPathMs(undefined);
  const healthyMs = Math.max(before.ms ?? 0, after.ms ?? 0);
  const rows = measured.map((row): VerdictTime => {
    // A render verdict waits out the budget after the last frame, which the healthy run also
    // received: like silence, it is bounded by its configured wait plus 0.5 s.
    const limitMs =
      row.kind === 'evidence'
        ? healthyMs + EVIDENCE_MARGIN_MS
        : healthyMs + (row.timeoutMs ?? 0) + SILENCE_MARGIN_MS;
    return {
      fault: row.fault,
      kind: row.kind,
      code: row.code,
      testMs: row.ms,
      healthyMs,
      limitMs,
      within: row.ms !== undefined && row.ms <= limitMs,
    };
  });
  return { healthyMs, faults: rows, met: rows.every((row) => row.within) };
}

export function formatVerdictTimes(result: VerdictTimeResult): string {
  const lines = [`time to verdict (healthy golden path: ${result.healthyMs} ms)`];
  for (const row of result.faults) {
    lines.push(
      `  ${row.within ? ' ' : '✗'} ${row.fault.padEnd(32)} ${String(row.code ?? '-').padEnd(22)} ${String(row.testMs ?? '?').padStart(6)} ms  (limit ${row.limitMs} ms, ${row.kind})`,
    );
  }
  return lines.join('\n');
}
