/**
 * The sign-off decision, a pure function of the evidence: one table of cases, each a piece of
 * evidence made here and what the verdict must say about it.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CAUSE_CODES } from '../../harness/causes.ts';
import type { EvidenceRecord } from '../../harness/evidence-record.ts';
import type { PreflightResult } from '../../harness/preflight.ts';
import { CRITERIA, CRITERION_OF_CODE, RUN_CODES } from '../../harness/signoff/criteria.ts';
import { decide } from '../../harness/signoff/decide.ts';
import { toConsole, toMarkdown } from '../../harness/signoff/render.ts';
import type {
  CriterionId,
  CriterionStatus,
  Evidence,
  SignoffVerdict,
} from '../../harness/signoff/verdict.ts';
import { entry, evidence, healthyTests, preflight, timeline } from './helpers/signoff-evidence.ts';

const withFile = (part: string, change: Partial<EvidenceRecord>) =>
  healthyTests().map((test) => (test.file?.includes(part) ? { ...test, ...change } : test));

const failing = (code: EvidenceRecord['code']) => ({
  status: 'failed',
  code,
  summary: `[${code}] evidence`,
});

const reversed = [...timeline].reverse().map((item, index) => ({ ...item, ms: 100 * (index + 1) }));
const setupFailure: EvidenceRecord = {
  title: 'global setup',
  status: 'failed',
  code: 'SERVICE_UNHEALTHY',
  summary: 'x',
};
const unhealthy: PreflightResult = {
  ...preflight,
  ok: false,
  probes: [
    { ...(preflight.probes[0] as PreflightResult['probes'][number]), ok: false, problem: 'status 503' },
  ],
};

const ALL_PASSED: Record<CriterionId, CriterionStatus> = {
  services: 'passed',
  unauthenticated: 'passed',
  tokens: 'passed',
  socket: 'passed',
  events: 'passed',
  isolation: 'passed',
  ui: 'passed',
};

interface Case {
  name: string;
  evidence: Evidence;
  verdict: SignoffVerdict['verdict'];
  cause?: string;
  /** The criteria whose status differs from passed. */
  criteria?: Partial<Record<CriterionId, CriterionStatus>>;
  summary?: RegExp;
}

const cases: Case[] = [
  { name: 'every criterion with passing evidence', evidence: evidence(healthyTests()), verdict: 'APPROVED' },
  {
    name: 'the isolation spec did not run',
    evidence: evidence(healthyTests().filter((test) => !test.file?.includes('isolation'))),
    verdict: 'REJECTED',
    criteria: { isolation: 'unproven' },
    summary: /Isolation has no evidence: no test of this criterion ran/,
  },
  {
    name: 'the auth spec was skipped',
    evidence: evidence(withFile('auth', { status: 'skipped' })),
    verdict: 'REJECTED',
    criteria: { unauthenticated: 'unproven' },
  },
  {
    name: 'passed, but no timeline',
    evidence: evidence(healthyTests().map((test) => ({ ...test, timeline: undefined }))),
    verdict: 'REJECTED',
    criteria: { events: 'unproven' },
  },
  {
    name: 'passed, but the timeline is out of contract order',
    evidence: evidence(
      healthyTests().map((test) => (test.timeline ? { ...test, timeline: reversed } : test)),
    ),
    verdict: 'REJECTED',
    criteria: { events: 'unproven' },
  },
  {
    name: 'events missing: credits only what the journey got past',
    evidence: evidence(
      healthyTests().map((test) =>
        test.file?.includes('golden') || test.file?.includes('isolation')
          ? { ...test, ...failing('EVENT_MISSING') }
          : test,
      ),
    ),
    verdict: 'REJECTED',
    cause: 'EVENT_MISSING',
    criteria: { events: 'failed', isolation: 'unproven', ui: 'unproven' },
  },
  {
    name: 'a failed global setup comes first',
    evidence: evidence([setupFailure], { preflights: [{ ...preflight, ok: false }], states: [] }),
    verdict: 'REJECTED',
    cause: 'SERVICE_UNHEALTHY',
    criteria: {
      services: 'failed',
      unauthenticated: 'unproven',
      tokens: 'unproven',
      socket: 'unproven',
      events: 'unproven',
      isolation: 'unproven',
      ui: 'unproven',
    },
  },
  {
    name: 'an unhealthy probe in the preflight record fails services by itself',
    evidence: evidence(healthyTests(), { preflights: [unhealthy] }),
    verdict: 'REJECTED',
    cause: 'SERVICE_UNHEALTHY',
    criteria: { services: 'failed' },
    summary: /preflight: auth GET \/health: status 503/,
  },
  {
    name: 'a failure without a code fails every criterion of its spec',
    evidence: evidence(withFile('golden', { status: 'timedOut' })),
    verdict: 'REJECTED',
    cause: 'NO_CAUSE_CODE',
    criteria: { socket: 'failed', events: 'failed', ui: 'failed' },
  },
  {
    name: 'a page error proves nothing about the steps before it',
    evidence: evidence(withFile('golden', failing('PAGE_ERROR'))),
    verdict: 'REJECTED',
    cause: 'PAGE_ERROR',
    criteria: { socket: 'unproven', events: 'unproven', ui: 'failed' },
  },
  {
    name: 'no token record from this run',
    evidence: evidence(healthyTests(), { states: [] }),
    verdict: 'REJECTED',
    criteria: { tokens: 'unproven' },
    summary: /no record of verified tokens/,
  },
  {
    name: 'no preflight record from this run',
    evidence: evidence(healthyTests(), { preflights: [] }),
    verdict: 'REJECTED',
    criteria: { services: 'unproven' },
  },
  {
    name: 'no diagnosis at all',
    evidence: { preflights: [], states: [], sources: [] },
    verdict: 'REJECTED',
    criteria: Object.fromEntries(CRITERIA.map(({ id }) => [id, 'unproven'])),
    summary: /left no diagnosis\.json/,
  },
  {
    name: 'the earliest cause in journey order is named, whatever the order of the tests',
    evidence: evidence([
      ...withFile('golden', failing('UI_NOT_RENDERED')).filter((test) => !test.file?.includes('auth')),
      entry('e2e/auth.spec.ts', 'refuses no token', { tags: ['@auth'], ...failing('WS_AUTH_NOT_ENFORCED') }),
    ]),
    verdict: 'REJECTED',
    cause: 'WS_AUTH_NOT_ENFORCED',
    criteria: { unauthenticated: 'failed', ui: 'failed' },
  },
];

describe('the sign-off decision', () => {
  it('every cause code speaks to a criterion, or stops the run', () => {
    const unmapped = CAUSE_CODES.filter((code) => !CRITERION_OF_CODE[code] && !RUN_CODES.includes(code));
    assert.deepEqual(unmapped, [], 'new cause codes need a criterion in harness/signoff/criteria.ts');
  });

  for (const item of cases) {
    it(item.name, () => {
      const verdict = decide(item.evidence, [], new Date(0));
      const statuses = Object.fromEntries(
        verdict.criteria.map((criterion) => [criterion.id, criterion.status]),
      );
      assert.equal(verdict.verdict, item.verdict, JSON.stringify(verdict.criteria, null, 1));
      assert.deepEqual(statuses, { ...ALL_PASSED, ...item.criteria });
      assert.equal(verdict.cause?.code, item.cause);
      if (item.summary) assert.match(verdict.cause?.summary ?? '', item.summary);
      assert.equal(verdict.criteria.length, CRITERIA.length);
    });
  }

  it('takes p50 and max of each event over the runs with a timeline', () => {
    const verdict = decide(evidence(healthyTests()));
    const started = verdict.latency.find((item) => item.event === 'agent_started');
    assert.deepEqual(started, { event: 'agent_started', runs: 2, p50: 100, max: 100 });
  });

  it('warns of a failing test outside the sign-off, without changing the verdict', () => {
    const resilience = entry('e2e/resilience.spec.ts', 'reconnects', {
      tags: ['@resilience'],
      status: 'failed',
    });
    const verdict = decide(evidence([...healthyTests(), resilience], {}));
    assert.deepEqual(verdict.outOfScope, [{ title: 'reconnects', status: 'failed' }]);
    assert.match(verdict.warnings.join('\n'), /1 test\(s\) outside the sign-off did not pass: reconnects/);
    assert.match(toMarkdown(verdict), /## Warnings/);
    assert.match(toConsole(verdict, 'v.md'), /warning: 1 test\(s\) outside/);
  });

  it('renders the cause, each criterion and the context', () => {
    const verdict = decide(evidence(withFile('golden', failing('EVENT_MISSING'))), [['commit', 'abc | def']]);
    const markdown = toMarkdown(verdict);
    assert.match(markdown, /^# Sign-off: REJECTED/);
    assert.match(markdown, /Cause: `\[EVENT_MISSING\]`/);
    assert.match(markdown, /\| FAIL \| Five events \| `EVENT_MISSING` \|/);
    assert.match(markdown, /\| commit \| abc \\\| def \|/);
    assert.match(toConsole(verdict, 'v.md'), /sign-off: REJECTED\n {2}cause: \[EVENT_MISSING\]/);
  });
});

describe('the sign-off says what did not run', () => {
  const KINDS = ['no token', 'garbage token', 'expired token', 'foreign-key token'];
  const IGNORED = 'the deployment ignores test-auth `expires_in`';
  const credential = (kind: string) => ({ type: 'credential', description: kind });
  const authCase = (kind: string, extra: Partial<EvidenceRecord> = {}) =>
    entry('e2e/auth.spec.ts', `refuses ${kind}`, {
      tags: ['@auth'],
      annotations: [credential(kind)],
      ...extra,
    });
  const skipped = (kind: string) =>
    authCase(kind, {
      status: 'skipped',
      annotations: [credential(kind), { type: 'skip', description: IGNORED }],
    });
  /** The healthy tests with these auth cases in place of its one. */
  const withAuth = (...auth: EvidenceRecord[]) =>
    evidence([...healthyTests().filter((test) => !test.file?.includes('auth')), ...auth]);
  const others = KINDS.filter((kind) => kind !== 'expired token').map((kind) => authCase(kind));
  const row = (verdict: SignoffVerdict, id: CriterionId) =>
    verdict.criteria.find((criterion) => criterion.id === id);

  it('3 of 4 kinds: the skipped case and its reason in its row, its console line and the summary', () => {
    const verdict = decide(withAuth(...others, skipped('expired token')));
    const said = `3 of 4 kinds refused; expired token not run: ${IGNORED}`;
    const evidenceText = row(verdict, 'unauthenticated')?.evidence ?? '';
    assert.equal(row(verdict, 'unauthenticated')?.status, 'passed');
    assert.ok(evidenceText.startsWith(said), evidenceText);
    assert.doesNotMatch(evidenceText, /every/);
    assert.ok(toConsole(verdict, 'v.md').includes(`Unauthenticated access refused: ${said}`));
    assert.match(toMarkdown(verdict), /Not run: Unauthenticated access refused: expired token not run: /);
  });

  it('none ran: NO EVIDENCE, not approved, with the reasons', () => {
    const verdict = decide(withAuth(...KINDS.map(skipped)));
    assert.equal(verdict.verdict, 'REJECTED');
    assert.equal(row(verdict, 'unauthenticated')?.status, 'unproven');
    assert.match(
      row(verdict, 'unauthenticated')?.evidence ?? '',
      /^no test of this criterion ran; no token not run: /,
    );
  });

  it('the valid-token control alone is no proof: NO EVIDENCE', () => {
    const control = entry('e2e/auth.spec.ts', "accepts the user's own token", {
      tags: ['@auth'],
      annotations: [{ type: 'control', description: 'a valid token is accepted' }],
    });
    const verdict = decide(withAuth(control));
    assert.equal(verdict.verdict, 'REJECTED');
    assert.equal(row(verdict, 'unauthenticated')?.status, 'unproven');
    assert.match(row(verdict, 'unauthenticated')?.evidence ?? '', /no bad-credential case passed/);
  });

  it("the auth spec's page staying on the dead chat fails its own criterion, not the UI's", () => {
    const stuck = authCase('expired token', failing('UI_NOT_RENDERED'));
    const verdict = decide(withAuth(...others, stuck));
    assert.equal(row(verdict, 'unauthenticated')?.status, 'failed');
    assert.equal(row(verdict, 'ui')?.status, 'passed');
    assert.equal(verdict.cause?.criterion, 'unauthenticated');
    assert.equal(verdict.cause?.code, 'UI_NOT_RENDERED');
  });
});
