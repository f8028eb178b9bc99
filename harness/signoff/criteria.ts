/**
 * The sign-off's criteria. Each says what proves it: which specs' tests (SPEC_CRITERIA), which
 * cause codes speak against it (CRITERION_OF_CODE), what evidence beyond the tests can fail it
 * (`failuresIn`), and what evidence beyond "its tests passed" it needs before it passes
 * (`prove`). A new criterion is one entry in CRITERIA plus its id in those two maps.
 */
import type { CauseCode } from '../causes.ts';
import type { EvidenceRecord } from '../evidence-record.ts';
import { isCredentialCase, type SkippedCase, sayRefused } from '../skipped-cases.ts';
import { featureTagOf } from '../spec-tags.ts';
import type { CheckedRun } from './timelines.ts';
import type { CriterionId, Evidence, Failure, Latency } from './verdict.ts';

/** The specs the sign-off runs, by tag. */
export const SIGNOFF_SPECS = ['@preflight', '@auth', '@golden-path', '@isolation'] as const;
export type SignoffSpec = (typeof SIGNOFF_SPECS)[number];
export const SIGNOFF_GREP = SIGNOFF_SPECS.join('|');

/** What the criterion's own proof sees, once its tests all passed. */
export interface ProofInput {
  evidence: Evidence;
  /** Titles of this criterion's passing tests. */
  passed: string[];
  /** Its cases that did not run. */
  skipped: SkippedCase[];
  /** The golden-path and isolation runs that left a timeline, each checked. */
  runs: CheckedRun[];
  latency: Latency[];
}

export interface Proof {
  status: 'passed' | 'unproven';
  text: string;
}

export interface Criterion {
  id: CriterionId;
  title: string;
  /** What its passing tests prove, when they are the whole proof. */
  proof: string;
  /** Failures found in evidence other than the tests (the preflight's probes). */
  failuresIn?: (evidence: Evidence) => Failure[];
  /** Evidence beyond its passing tests; without it, the passing tests are the proof. */
  prove?: (input: ProofInput) => Proof;
  /** Its proof names its skipped cases itself; otherwise they are added after it. */
  saysSkipped?: true;
}

const passed = (text: string): Proof => ({ status: 'passed', text });
const unproven = (text: string): Proof => ({ status: 'unproven', text });

function probesOf(evidence: Evidence) {
  return evidence.preflights.flatMap((result) => result.probes);
}

const services: Criterion = {
  id: 'services',
  title: 'Services healthy',
  proof: 'every health probe answered healthy',
  failuresIn: (evidence) => {
    const bad = probesOf(evidence).find((probe) => !probe.ok);
    if (!bad) return [];
    const code = bad.unreachable ? 'SERVICE_UNREACHABLE' : 'SERVICE_UNHEALTHY';
    return [
      { code, title: 'preflight', summary: `${bad.service} ${bad.name}: ${bad.problem ?? 'not healthy'}` },
    ];
  },
  prove: ({ evidence }) => {
    if (evidence.preflights.length === 0) return unproven('no preflight result from this run');
    const probes = probesOf(evidence);
    const slowest = [...probes].sort((a, b) => b.latencyMs - a.latencyMs)[0];
    const list = probes.map(
      (probe) => `${probe.service} ${probe.name} ${probe.status ?? '-'} in ${probe.latencyMs} ms`,
    );
    return passed(
      `${probes.length}/${probes.length} probes healthy; slowest ${slowest?.latencyMs ?? 0} ms (${slowest?.service} ${slowest?.name}): ${list.join('; ')}`,
    );
  },
};

const tokens: Criterion = {
  id: 'tokens',
  title: 'Tokens verified',
  proof: "every test user's token verified against the JWKS",
  prove: ({ evidence: { states, preflights } }) => {
    if (states.length === 0 || states.length < preflights.length)
      return unproven('no record of verified tokens from this run (run.json)');
    const users = states.flatMap((state) => state.users);
    if (users.length === 0 || users.some((user) => !user.userId))
      return unproven('run.json lists no verified user');
    const sources = [...new Set(users.map((user) => user.tokenSource))].join(', ');
    return passed(
      `${new Set(users.map((user) => user.email)).size} user(s) with tokens verified against the JWKS (${sources})`,
    );
  },
};

const events: Criterion = {
  id: 'events',
  title: 'Five events',
  proof: 'the five agent events arrived for the run, in contract order',
  prove: ({ passed: titles, runs, latency }) => {
    const golden = runs.filter(({ entry }) => titles.includes(entry.title));
    if (golden.length === 0) return unproven('the tests passed but left no event timeline to check');
    const bad = golden.find(({ check }) => !check.ok);
    if (bad) return unproven(`the timeline of "${bad.entry.title}" is ${bad.check.why}`);
    const firsts = latency.map((item) => `${item.event} p50 ${item.p50} ms, max ${item.max} ms`).join('; ');
    return passed(
      `all five, in order, in ${golden.length} golden-path run(s); first arrivals over the ${runs.length} run(s) with a timeline: ${firsts}`,
    );
  },
};

/** In the order the verdict lists them. */
export const CRITERIA: Criterion[] = [
  services,
  {
    id: 'unauthenticated',
    title: 'Unauthenticated access refused',
    proof: 'the agent socket refused every bad credential and the page sent the user to sign in',
    // "3 of 4 kinds refused; expired token not run: ...", never "every" for three.
    prove: ({ evidence, passed: titles, skipped }) => {
      const tests = evidence.diagnosis?.tests.filter((test) => titles.includes(test.title)) ?? [];
      // The valid-token control alone refuses nothing: without a bad-credential case, no proof.
      if (!tests.some(isCredentialCase))
        return unproven('no bad-credential case passed: only the valid-token control ran');
      return passed(sayRefused(tests, skipped));
    },
    saysSkipped: true,
  },
  tokens,
  {
    id: 'socket',
    title: 'Socket authenticated',
    proof: 'the signed-in user reached the chat over an authenticated socket',
  },
  events,
  { id: 'isolation', title: 'Isolation', proof: 'two users chatting at once each saw only their own run' },
  { id: 'ui', title: 'UI rendered', proof: 'the page showed each event and the answer' },
];

/** What each spec's tests are evidence for, in the order its journey reaches them. */
export const SPEC_CRITERIA: Record<SignoffSpec, CriterionId[]> = {
  '@preflight': ['services', 'tokens'],
  '@auth': ['unauthenticated'],
  '@golden-path': ['socket', 'events', 'ui'],
  '@isolation': ['isolation'],
};

/** The specs whose tests leave the event timelines the events criterion reads. */
export const TIMELINE_SPECS: readonly SignoffSpec[] = ['@golden-path', '@isolation'];

/** Which criterion a failure's cause code speaks to. */
export const CRITERION_OF_CODE: Partial<Record<CauseCode, CriterionId>> = {
  SERVICE_UNREACHABLE: 'services',
  SERVICE_UNHEALTHY: 'services',
  TOKEN_REJECTED: 'tokens',
  USER_UNKNOWN: 'tokens',
  TOKEN_INVALID: 'tokens',
  WS_AUTH_NOT_ENFORCED: 'unauthenticated',
  LOGIN_FAILED: 'socket',
  WS_HANDSHAKE_REJECTED: 'socket',
  WS_AUTH_REJECTED: 'socket',
  WS_HANDSHAKE_TIMEOUT: 'socket',
  PROTOCOL_MISMATCH: 'socket',
  WS_CLOSED_EARLY: 'events',
  EVENT_MISSING: 'events',
  EVENT_ORDER: 'events',
  EVENT_LATENCY: 'events',
  CROSS_USER_LEAK: 'isolation',
  UI_NOT_RENDERED: 'ui',
  PAGE_ERROR: 'ui',
};

/**
 * Codes that, raised by this spec, speak against the spec's own criterion rather than the one
 * CRITERION_OF_CODE names: the auth spec's page staying on a dead chat is a refusal not carried
 * through, its socket's silence is no refusal, and its own socket refusing the user's valid token
 * (the control) leaves its refusals unproven; none says anything of the UI or the signed-in
 * socket criteria.
 */
export const SPEC_OWN_CODES: Partial<Record<SignoffSpec, readonly CauseCode[]>> = {
  '@auth': ['UI_NOT_RENDERED', 'WS_HANDSHAKE_TIMEOUT', 'WS_AUTH_REJECTED'],
};

/** Codes that belong to no criterion: they stop the whole run (and so reject it). */
export const RUN_CODES: CauseCode[] = ['CONFIG_INVALID'];

/** Codes that can be raised at any point of a journey: they prove nothing about earlier steps. */
export const ANY_STAGE: ReadonlySet<string> = new Set<CauseCode>(['PAGE_ERROR']);

/** The sign-off spec a record belongs to, `setup` for a global-setup failure, else undefined. */
export function specOf(entry: EvidenceRecord): SignoffSpec | 'setup' | undefined {
  if (!entry.file && entry.title === 'global setup') return 'setup';
  const tag = featureTagOf({
    file: entry.file ?? '',
    tags: entry.tags ?? entry.title.match(/@[\w-]+/g) ?? [],
    ...(entry.project ? { project: entry.project } : {}),
  });
  return (SIGNOFF_SPECS as readonly string[]).includes(tag ?? '') ? (tag as SignoffSpec) : undefined;
}
