/**
 * The sign-off decision: a pure function of the evidence (no file system, no clock but `now`).
 * Each test's result is credited to, or counted against, the criteria its spec is evidence for;
 * then each criterion is failed, unproven or passed by its own proof (criteria.ts).
 */
import { type CauseCode, journeyRank } from '../causes.ts';
import type { EnvironmentBlock } from '../environment.ts';
import { detectDrift } from '../latency-drift.ts';
import { type SkippedCase, saySkipped, skippedCaseOf } from '../skipped-cases.ts';
import {
  ANY_STAGE,
  CRITERIA,
  CRITERION_OF_CODE,
  type Criterion,
  SPEC_CRITERIA,
  SPEC_OWN_CODES,
  specOf,
  TIMELINE_SPECS,
} from './criteria.ts';
import { type CheckedRun, checkTimeline, latencyOf } from './timelines.ts';
import type {
  CriterionId,
  CriterionResult,
  CriterionStatus,
  Evidence,
  Failure,
  Latency,
  SignoffVerdict,
} from './verdict.ts';
import { warningsOf } from './warnings.ts';

interface Tally {
  passed: string[];
  failed: { title: string; code: string }[];
  /** Tests that failed before they reached this criterion: no evidence either way. */
  blocked: { title: string; code: string }[];
  skipped: SkippedCase[];
}

/** A summary without the `[CODE]` it starts with (the code is shown beside it). */
const withoutCode = (summary: string) => summary.replace(/^\s*(?:Error:\s*)?\[[A-Z_]+\]\s*/, '');

/** Credit each test's result to the criteria its spec is evidence for, as far as it got. */
function tallyTests(evidence: Evidence): { tally: Map<CriterionId, Tally>; failures: Failure[] } {
  const tally = new Map<CriterionId, Tally>(
    CRITERIA.map(({ id }) => [id, { passed: [], failed: [], blocked: [], skipped: [] }]),
  );
  const at = (id: CriterionId) => tally.get(id) as Tally;
  const failures: Failure[] = [];
  for (const entry of evidence.diagnosis?.tests ?? []) {
    const spec = specOf(entry);
    if (!spec) continue;
    const own = spec !== 'setup' ? SPEC_CRITERIA[spec] : [];
    if (entry.status === 'skipped') {
      for (const id of own) at(id).skipped.push(skippedCaseOf(entry));
      continue;
    }
    if (entry.status === 'passed') {
      for (const id of own) at(id).passed.push(entry.title);
      continue;
    }
    const code = entry.code ?? 'NO_CAUSE_CODE';
    const ownCode = spec !== 'setup' && entry.code && SPEC_OWN_CODES[spec]?.includes(entry.code);
    const target = ownCode ? own[0] : entry.code ? CRITERION_OF_CODE[entry.code] : undefined;
    failures.push({
      code,
      title: entry.title,
      summary: withoutCode(entry.summary ?? entry.status),
      ...(ownCode && target ? { criterion: target } : {}),
    });
    if (target) at(target).failed.push({ title: entry.title, code });
    // The journey got past the criteria before its cause's; those after it were never reached.
    const reached = target && !ANY_STAGE.has(code) ? own.indexOf(target) : -1;
    own.forEach((id, index) => {
      if (id === target) return;
      if (index < reached) at(id).passed.push(entry.title);
      else if (target) at(id).blocked.push({ title: entry.title, code });
      else at(id).failed.push({ title: entry.title, code });
    });
  }
  // Evidence other than the tests, such as the preflight's own probes.
  for (const criterion of CRITERIA) {
    for (const failure of criterion.failuresIn?.(evidence) ?? []) {
      const code = failure.code ?? 'NO_CAUSE_CODE';
      if (at(criterion.id).failed.some((item) => item.code === code)) continue;
      at(criterion.id).failed.push({ title: failure.title, code });
      if (!failures.some((known) => known.code === code)) failures.push(failure);
    }
  }
  return { tally, failures };
}

function judge(
  criterion: Criterion,
  { passed, failed, blocked, skipped }: Tally,
  failures: Failure[],
  proofInput: Omit<Parameters<NonNullable<Criterion['prove']>>[0], 'passed' | 'skipped'>,
): CriterionResult {
  const testsSeen = [
    ...new Set([...passed, ...failed.map((item) => item.title), ...blocked.map((item) => item.title)]),
  ];
  const codes = [...new Set(failed.map((item) => item.code))].sort((a, b) => journeyRank(a) - journeyRank(b));
  const result = (status: CriterionStatus, evidence: string): CriterionResult => ({
    id: criterion.id,
    title: criterion.title,
    status,
    codes,
    evidence,
    tests: testsSeen,
    ...(skipped.length > 0 ? { skipped } : {}),
  });
  const notRun = skipped.length > 0 ? `; ${saySkipped(skipped)}` : '';
  if (failed.length > 0) {
    const first = failures.find((failure) => failure.code === codes[0]);
    return result('failed', `${codes.map((code) => `[${code}]`).join(' ')} ${first?.summary ?? ''}`.trim());
  }
  if (passed.length === 0) {
    if (blocked.length > 0) {
      const codesBefore = [...new Set(blocked.map((item) => `[${item.code}]`))].join(' ');
      return result('unproven', `not reached: the journey failed earlier (${codesBefore})`);
    }
    return result('unproven', `no test of this criterion ran${notRun}`);
  }
  if (blocked.length > 0) {
    return result(
      'unproven',
      `${passed.length} test(s) passed, ${blocked.length} did not get this far${notRun}`,
    );
  }
  if (!criterion.prove) return result('passed', `${passed.length} test(s): ${criterion.proof}${notRun}`);
  const proof = criterion.prove({ ...proofInput, passed, skipped });
  return result(proof.status, `${proof.text}${criterion.saysSkipped ? '' : notRun}`);
}

/** The first cause in journey order; for a rejection without a failure, the first unproven criterion. */
function causeOfVerdict(
  failures: Failure[],
  criteria: CriterionResult[],
  approved: boolean,
): SignoffVerdict['cause'] {
  const first = failures[0];
  if (first) {
    const criterion =
      first.criterion ?? (first.code ? CRITERION_OF_CODE[first.code as CauseCode] : undefined);
    return {
      ...(first.code ? { code: first.code } : {}),
      ...(criterion ? { criterion } : {}),
      summary: `${first.title}: ${first.summary}`,
    };
  }
  if (approved) return undefined;
  const unproven = criteria.find((criterion) => criterion.status !== 'passed');
  return {
    ...(unproven ? { criterion: unproven.id } : {}),
    summary: `${unproven?.title ?? 'a criterion'} has no evidence: ${unproven?.evidence ?? ''}`,
  };
}

export function decide(evidence: Evidence, context: EnvironmentBlock = [], now = new Date()): SignoffVerdict {
  const { diagnosis } = evidence;
  const tests = diagnosis?.tests ?? [];
  const { tally, failures } = tallyTests(evidence);
  const runs: CheckedRun[] = tests
    .filter((entry) => entry.timeline && TIMELINE_SPECS.includes(specOf(entry) as never))
    .map((entry) => ({ entry, check: checkTimeline(entry.timeline ?? []) }));
  const latency: Latency[] = latencyOf(runs);
  const criteria = CRITERIA.map((criterion) =>
    judge(criterion, tally.get(criterion.id) as Tally, failures, { evidence, runs, latency }),
  );

  if (diagnosis && diagnosis.status !== 'passed' && failures.length === 0)
    failures.push({ title: 'the test run', summary: `ended "${diagnosis.status}"` });
  if (!diagnosis) failures.push({ title: 'the test run', summary: 'left no diagnosis.json' });

  const approved = failures.length === 0 && criteria.every((criterion) => criterion.status === 'passed');
  const sortedFailures = [...failures].sort((a, b) => journeyRank(a.code) - journeyRank(b.code));
  const cause = causeOfVerdict(sortedFailures, criteria, approved);
  const outOfScope = tests
    .filter((entry) => !specOf(entry))
    .map((entry) => ({ title: entry.title, status: entry.status }));
  const { history } = evidence;
  const drift =
    history && latency.length > 0 ? detectDrift(latency, history.runs, history.settings) : undefined;
  return {
    verdict: approved ? 'APPROVED' : 'REJECTED',
    ...(cause ? { cause } : {}),
    criteria,
    latency,
    ...(drift
      ? { drift: { state: drift.state, findings: drift.findings, history: drift.history, note: drift.note } }
      : {}),
    failures: sortedFailures,
    warnings: warningsOf({ evidence, criteria, outOfScope, ...(drift ? { drift } : {}) }),
    outOfScope,
    ...(diagnosis
      ? {
          run: {
            status: diagnosis.status,
            startedAt: diagnosis.startedAt,
            durationMs: diagnosis.durationMs,
            counts: diagnosis.counts,
          },
        }
      : {}),
    context,
    evidence: evidence.sources,
    decidedAt: now.toISOString(),
  };
}
