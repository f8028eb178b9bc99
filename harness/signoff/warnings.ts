/**
 * Verdict warnings: what the reader of a verdict should know that does not change it. Each is a
 * pure function of the evidence and the judged criteria; a new warning is one more entry in
 * WARNINGS, and shows in verdict.json, verdict.md and the console.
 */
import { type DriftReport, describeFinding } from '../latency-drift.ts';
import type { CriterionResult, Evidence } from './verdict.ts';

export interface WarningInput {
  evidence: Evidence;
  criteria: CriterionResult[];
  outOfScope: { title: string; status: string }[];
  drift?: DriftReport;
}

export type Warning = (input: WarningInput) => string | undefined;

const notCounted = (status: string) => status !== 'passed' && status !== 'skipped';

export const WARNINGS: Warning[] = [
  // A failing spec outside the sign-off (the resilience spec) is still a finding about the build.
  ({ outOfScope }) => {
    const failed = outOfScope.filter((item) => notCounted(item.status));
    return failed.length > 0
      ? `${failed.length} test(s) outside the sign-off did not pass: ${failed.map((item) => item.title).join('; ')}`
      : undefined;
  },
  // Latency drift is a finding with its numbers; the budgets, not the drift, decide the verdict.
  ({ drift }) =>
    drift?.findings.length
      ? `latency drift (${drift.settings.percent} % over the median of the last ${drift.settings.nights} run(s); the budgets decide): ${drift.findings.map(describeFinding).join('; ')}`
      : undefined,
];

export function warningsOf(input: WarningInput): string[] {
  return WARNINGS.map((warning) => warning(input)).filter((text): text is string => !!text);
}
