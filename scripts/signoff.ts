/**
 * `npm run signoff`: the pre-production sign-off, against whatever env the E2E_* variables name.
 * It runs the preflight, the golden path, the auth and the isolation specs, then writes
 * `<output>/signoff/verdict.json` and `verdict.md`: APPROVED or REJECTED, a table of the
 * criteria with their evidence, the failing criteria with their cause codes (the first cause in
 * journey order first), and the environment, commit and time. Exit code 0 only when APPROVED.
 *
 * The verdict is derived from evidence only, never written beside it: the run's diagnosis.json
 * (each test's status, cause code and event timeline), the preflight result and the verified
 * tokens global setup recorded (preflight.json, run.json). A criterion none of whose tests ran,
 * or whose tests left no evidence, is not approved.
 *
 *   npm run signoff                          run the sign-off specs, then decide
 *   npm run signoff -- --workers=1           extra arguments go to `playwright test`
 *   npm run signoff -- --from <dir>          decide from a finished run's output folder (e.g.
 *                                            merged shards) without running anything
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type FeatureTag, featureTagOf } from '../fixtures/reporting.ts';
import type { RunState } from '../global-setup.ts';
import type { TimelineEntry } from '../harness/agent-run.ts';
import { CAUSE_CODES, type CauseCode } from '../harness/causes.ts';
import { AGENT_EVENTS, type AgentEventType, loadConfig } from '../harness/config.ts';
import type { PreflightResult } from '../harness/preflight.ts';
import { type EnvironmentBlock, environmentBlock, gitCommit } from '../reporters/allure-extras.ts';
import type { Diagnosis, DiagnosisEntry } from '../reporters/run-summary.ts';
import { knownSecrets } from './report.ts';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The specs the sign-off runs. */
export const SIGNOFF_GREP = '@preflight|@golden-path|@auth|@isolation';
export const SIGNOFF_SPECS = ['@preflight', '@auth', '@golden-path', '@isolation'] as const;
type SignoffSpec = (typeof SIGNOFF_SPECS)[number];

export type CriterionId =
  | 'services'
  | 'unauthenticated'
  | 'tokens'
  | 'socket'
  | 'events'
  | 'isolation'
  | 'ui';

export const CRITERIA: { id: CriterionId; title: string; proof: string }[] = [
  { id: 'services', title: 'Services healthy', proof: 'every health probe answered healthy' },
  {
    id: 'unauthenticated',
    title: 'Unauthenticated access refused',
    proof: 'the agent socket refused every bad credential and the page sent the user to sign in',
  },
  { id: 'tokens', title: 'Tokens verified', proof: "every test user's token verified against the JWKS" },
  {
    id: 'socket',
    title: 'Socket authenticated',
    proof: 'the signed-in user reached the chat over an authenticated socket',
  },
  {
    id: 'events',
    title: 'Five events',
    proof: 'the five agent events arrived for the run, in contract order',
  },
  { id: 'isolation', title: 'Isolation', proof: 'two users chatting at once each saw only their own run' },
  { id: 'ui', title: 'UI rendered', proof: 'the page showed each event and the answer' },
];

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
  WS_CLOSED_EARLY: 'events',
  EVENT_MISSING: 'events',
  EVENT_ORDER: 'events',
  EVENT_LATENCY: 'events',
  CROSS_USER_LEAK: 'isolation',
  UI_NOT_RENDERED: 'ui',
  PAGE_ERROR: 'ui',
};

/** Codes that belong to no criterion: they stop the whole run (and so reject it). */
export const RUN_CODES: CauseCode[] = ['CONFIG_INVALID'];

/** Codes that can be raised at any point of a journey: they prove nothing about earlier steps. */
const ANY_STAGE: ReadonlySet<string> = new Set<CauseCode>(['PAGE_ERROR']);

/** What each spec's tests are evidence for, in the order its journey reaches them. */
const SPEC_CRITERIA: Record<SignoffSpec, CriterionId[]> = {
  '@preflight': ['services', 'tokens'],
  '@auth': ['unauthenticated'],
  '@golden-path': ['socket', 'events', 'ui'],
  '@isolation': ['isolation'],
};

export type CriterionStatus = 'passed' | 'failed' | 'unproven';

export interface CriterionResult {
  id: CriterionId;
  title: string;
  status: CriterionStatus;
  codes: string[];
  evidence: string;
  tests: string[];
}

export interface Latency {
  event: AgentEventType;
  runs: number;
  p50: number;
  max: number;
}

export interface Failure {
  code?: string;
  title: string;
  summary: string;
}

export interface Evidence {
  diagnosis?: Diagnosis;
  /** One per machine that ran global setup (one, or one per shard). */
  preflights: PreflightResult[];
  states: RunState[];
  /** Where each piece came from, for the reader. */
  sources: string[];
}

export interface Verdict {
  verdict: 'APPROVED' | 'REJECTED';
  /** The first cause in journey order; absent when approved. */
  cause?: { code?: string; criterion?: CriterionId; summary: string };
  criteria: CriterionResult[];
  latency: Latency[];
  failures: Failure[];
  outOfScope: { title: string; status: string }[];
  run?: { status: string; startedAt: string; durationMs: number; counts: Record<string, number> };
  context: EnvironmentBlock;
  evidence: string[];
  decidedAt: string;
}

/** A summary without the `[CODE]` it starts with (the code is shown beside it). */
const withoutCode = (summary: string) => summary.replace(/^\s*(?:Error:\s*)?\[[A-Z_]+\]\s*/, '');

const passedStatus = (status: string) => status === 'passed';
const notRun = (status: string) => status === 'skipped';
const order = (code: string | undefined) => {
  const index = CAUSE_CODES.indexOf(code as CauseCode);
  return index < 0 ? CAUSE_CODES.length : index;
};

function specOf(entry: DiagnosisEntry): SignoffSpec | 'setup' | undefined {
  if (!entry.file && entry.title === 'global setup') return 'setup';
  const tag: FeatureTag | undefined = featureTagOf({
    file: entry.file ?? '',
    tags: entry.tags ?? entry.title.match(/@[\w-]+/g) ?? [],
    ...(entry.project ? { project: entry.project } : {}),
  });
  return (SIGNOFF_SPECS as readonly string[]).includes(tag ?? '') ? (tag as SignoffSpec) : undefined;
}

function percentile(sorted: number[], fraction: number): number {
  const index = Math.max(0, Math.ceil(fraction * sorted.length) - 1);
  return sorted[index] ?? 0;
}

/** The first arrival of each event, if all five are there in contract order. */
function checkTimeline(timeline: TimelineEntry[]): {
  ok: boolean;
  firsts: Map<AgentEventType, number>;
  why?: string;
} {
  const firsts = new Map<AgentEventType, number>();
  for (const entry of timeline) if (!firsts.has(entry.type)) firsts.set(entry.type, entry.ms);
  const missing = AGENT_EVENTS.filter((event) => !firsts.has(event));
  if (missing.length > 0) return { ok: false, firsts, why: `missing ${missing.join(', ')}` };
  const times = AGENT_EVENTS.map((event) => firsts.get(event) ?? 0);
  const inOrder = times.every((ms, index) => index === 0 || ms >= (times[index - 1] ?? 0));
  return inOrder ? { ok: true, firsts } : { ok: false, firsts, why: 'out of contract order' };
}

/** The sign-off decision: a pure function of the evidence. */
export function decide(evidence: Evidence, context: EnvironmentBlock = [], now = new Date()): Verdict {
  const tests = evidence.diagnosis?.tests ?? [];
  const inScope = tests.filter((entry) => specOf(entry));
  const outOfScope = tests
    .filter((entry) => !specOf(entry))
    .map((entry) => ({ title: entry.title, status: entry.status }));

  interface Tally {
    passed: string[];
    failed: { title: string; code: string }[];
    blocked: { title: string; code: string }[];
  }
  const tally = new Map<CriterionId, Tally>(
    CRITERIA.map(({ id }) => [id, { passed: [], failed: [], blocked: [] }]),
  );
  const at = (id: CriterionId) => tally.get(id) as Tally;
  const failures: Failure[] = [];

  for (const entry of inScope) {
    const spec = specOf(entry);
    if (notRun(entry.status)) continue;
    const own = spec && spec !== 'setup' ? SPEC_CRITERIA[spec] : [];
    if (passedStatus(entry.status)) {
      for (const id of own) at(id).passed.push(entry.title);
      continue;
    }
    const code = entry.code ?? 'NO_CAUSE_CODE';
    failures.push({ code, title: entry.title, summary: withoutCode(entry.summary ?? entry.status) });
    const target = entry.code ? CRITERION_OF_CODE[entry.code] : undefined;
    if (target) at(target).failed.push({ title: entry.title, code });
    const reached = target && !ANY_STAGE.has(code) ? own.indexOf(target) : -1;
    own.forEach((id, index) => {
      if (id === target) return;
      if (index < reached) at(id).passed.push(entry.title);
      else if (target) at(id).blocked.push({ title: entry.title, code });
      else at(id).failed.push({ title: entry.title, code });
    });
  }

  // The preflight and token evidence global setup left, one set per machine.
  const { preflights, states } = evidence;
  const probes = preflights.flatMap((result) => result.probes);
  const badProbe = probes.find((probe) => !probe.ok);
  if (badProbe) {
    const code = badProbe.unreachable ? 'SERVICE_UNREACHABLE' : 'SERVICE_UNHEALTHY';
    if (!at('services').failed.some((item) => item.code === code)) {
      at('services').failed.push({ title: 'preflight', code });
      if (!failures.some((failure) => failure.code === code)) {
        failures.push({
          code,
          title: 'preflight',
          summary: `${badProbe.service} ${badProbe.name}: ${badProbe.problem ?? 'not healthy'}`,
        });
      }
    }
  }

  const latency: Latency[] = [];
  const runs = inScope
    .filter((entry) => entry.timeline && (specOf(entry) === '@golden-path' || specOf(entry) === '@isolation'))
    .map((entry) => ({ entry, check: checkTimeline(entry.timeline ?? []) }));
  for (const event of AGENT_EVENTS) {
    const times = runs
      .map(({ check }) => check.firsts.get(event))
      .filter((ms): ms is number => ms !== undefined)
      .sort((a, b) => a - b);
    if (times.length > 0)
      latency.push({ event, runs: times.length, p50: percentile(times, 0.5), max: times.at(-1) ?? 0 });
  }

  const criteria = CRITERIA.map(({ id, title, proof }): CriterionResult => {
    const { passed, failed, blocked } = at(id);
    const testsSeen = [
      ...new Set([...passed, ...failed.map((item) => item.title), ...blocked.map((item) => item.title)]),
    ];
    const codes = [...new Set(failed.map((item) => item.code))].sort((a, b) => order(a) - order(b));
    const result = (status: CriterionStatus, text: string): CriterionResult => ({
      id,
      title,
      status,
      codes,
      evidence: text,
      tests: testsSeen,
    });
    if (failed.length > 0) {
      const first = failures.find((failure) => failure.code === codes[0]);
      return result('failed', `${codes.map((code) => `[${code}]`).join(' ')} ${first?.summary ?? ''}`.trim());
    }
    if (passed.length === 0) {
      if (blocked.length > 0) {
        const codesBefore = [...new Set(blocked.map((item) => `[${item.code}]`))].join(' ');
        return result('unproven', `not reached: the journey failed earlier (${codesBefore})`);
      }
      return result('unproven', 'no test of this criterion ran');
    }
    if (blocked.length > 0) {
      return result('unproven', `${passed.length} test(s) passed, ${blocked.length} did not get this far`);
    }
    // Criteria with evidence beyond "the test passed".
    if (id === 'services') {
      if (preflights.length === 0) return result('unproven', 'no preflight result from this run');
      const slowest = [...probes].sort((a, b) => b.latencyMs - a.latencyMs)[0];
      const list = probes.map(
        (probe) => `${probe.service} ${probe.name} ${probe.status ?? '-'} in ${probe.latencyMs} ms`,
      );
      return result(
        'passed',
        `${probes.length}/${probes.length} probes healthy; slowest ${slowest?.latencyMs ?? 0} ms (${slowest?.service} ${slowest?.name}): ${list.join('; ')}`,
      );
    }
    if (id === 'tokens') {
      if (states.length === 0 || states.length < preflights.length)
        return result('unproven', 'no record of verified tokens from this run (run.json)');
      const users = states.flatMap((state) => state.users);
      if (users.length === 0 || users.some((user) => !user.userId))
        return result('unproven', 'run.json lists no verified user');
      const sources = [...new Set(users.map((user) => user.tokenSource))].join(', ');
      return result(
        'passed',
        `${new Set(users.map((user) => user.email)).size} user(s) with tokens verified against the JWKS (${sources})`,
      );
    }
    if (id === 'events') {
      const golden = runs.filter(({ entry }) => passed.includes(entry.title));
      if (golden.length === 0)
        return result('unproven', 'the tests passed but left no event timeline to check');
      const bad = golden.find(({ check }) => !check.ok);
      if (bad) return result('unproven', `the timeline of "${bad.entry.title}" is ${bad.check.why}`);
      const firsts = latency.map((item) => `${item.event} p50 ${item.p50} ms, max ${item.max} ms`).join('; ');
      return result(
        'passed',
        `all five, in order, in ${golden.length} golden-path run(s); first arrivals over the ${runs.length} run(s) with a timeline: ${firsts}`,
      );
    }
    return result('passed', `${passed.length} test(s): ${proof}`);
  });

  const runStatus = evidence.diagnosis?.status;
  const runFailed = evidence.diagnosis !== undefined && runStatus !== 'passed' && failures.length === 0;
  if (runFailed) failures.push({ title: 'the test run', summary: `ended "${runStatus}"` });
  if (!evidence.diagnosis) failures.push({ title: 'the test run', summary: 'left no diagnosis.json' });

  const approved = failures.length === 0 && criteria.every((criterion) => criterion.status === 'passed');
  const sortedFailures = [...failures].sort((a, b) => order(a.code) - order(b.code));
  let cause: Verdict['cause'];
  const firstFailure = sortedFailures[0];
  if (firstFailure) {
    const criterion = firstFailure.code ? CRITERION_OF_CODE[firstFailure.code as CauseCode] : undefined;
    cause = {
      ...(firstFailure.code ? { code: firstFailure.code } : {}),
      ...(criterion ? { criterion } : {}),
      summary: `${firstFailure.title}: ${firstFailure.summary}`,
    };
  } else if (!approved) {
    const unproven = criteria.find((criterion) => criterion.status !== 'passed');
    cause = {
      ...(unproven ? { criterion: unproven.id } : {}),
      summary: `${unproven?.title ?? 'a criterion'} has no evidence: ${unproven?.evidence ?? ''}`,
    };
  }

  const diagnosis = evidence.diagnosis;
  return {
    verdict: approved ? 'APPROVED' : 'REJECTED',
    ...(cause ? { cause } : {}),
    criteria,
    latency,
    failures: sortedFailures,
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

const STATUS_WORD: Record<CriterionStatus, string> = {
  passed: 'PASS',
  failed: 'FAIL',
  unproven: 'NO EVIDENCE',
};

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');

export function toMarkdown(verdict: Verdict): string {
  const lines = [`# Sign-off: ${verdict.verdict}`, ''];
  if (verdict.cause) {
    lines.push(
      `**${verdict.verdict}**. Cause: ${verdict.cause.code ? `\`[${verdict.cause.code}]\` ` : ''}${cell(verdict.cause.summary)}`,
      '',
    );
  } else {
    lines.push('**APPROVED**: every criterion passed, with the evidence below.', '');
  }
  lines.push('| result | criterion | codes | evidence |', '|---|---|---|---|');
  for (const criterion of verdict.criteria) {
    lines.push(
      `| ${STATUS_WORD[criterion.status]} | ${criterion.title} | ${criterion.codes.map((code) => `\`${code}\``).join(' ')} | ${cell(criterion.evidence)} |`,
    );
  }
  if (verdict.latency.length > 0) {
    lines.push(
      '',
      '## Event latency',
      '',
      'Milliseconds from the message being sent to the first frame of each event, measured in the browser.',
      '',
      '| event | runs | p50 | max |',
      '|---|---|---|---|',
    );
    for (const item of verdict.latency)
      lines.push(`| ${item.event} | ${item.runs} | ${item.p50} | ${item.max} |`);
  }
  if (verdict.failures.length > 0) {
    lines.push('', '## Failures, first cause first', '');
    for (const failure of verdict.failures) {
      lines.push(
        `- ${failure.code ? `\`[${failure.code}]\` ` : ''}${cell(failure.title)}: ${cell(failure.summary)}`,
      );
    }
  }
  if (verdict.outOfScope.length > 0) {
    lines.push('', '## Outside the sign-off (not counted)', '');
    for (const item of verdict.outOfScope) lines.push(`- ${cell(item.title)}: ${item.status}`);
  }
  lines.push('', '## Context', '', '| | |', '|---|---|');
  for (const [key, value] of verdict.context) lines.push(`| ${key} | ${cell(value)} |`);
  if (verdict.run) {
    const counts = Object.entries(verdict.run.counts)
      .map(([status, count]) => `${count} ${status}`)
      .join(', ');
    lines.push(`| test run | ${verdict.run.status}, ${counts}, started ${verdict.run.startedAt} |`);
  }
  lines.push(
    `| decided | ${verdict.decidedAt} |`,
    '',
    `Evidence: ${verdict.evidence.join(', ') || '(none)'}`,
    '',
  );
  return lines.join('\n');
}

function readJson<T>(file: string, since: number): T | undefined {
  try {
    if (statSync(file).mtimeMs < since) return undefined;
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

/** `name` in `dir` and in its subfolders (shards' evidence sits one level down). */
function findAll(dir: string, name: string): string[] {
  if (!existsSync(dir)) return [];
  const here = path.join(dir, name);
  const nested = readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => path.join(dir, entry.name, name));
  return [here, ...nested].filter((file) => existsSync(file));
}

/** The evidence in an output folder, ignoring anything written before `since`. */
export function gatherEvidence(out: string, stateDir: string | undefined, since = 0): Evidence {
  const sources: string[] = [];
  const rel = (file: string) => path.relative(process.cwd(), file) || file;
  const diagnosisFile = path.join(out, 'diagnosis.json');
  const diagnosis = readJson<Diagnosis>(diagnosisFile, since);
  if (diagnosis) sources.push(rel(diagnosisFile));
  const read = <T>(name: string): T[] => {
    let files = findAll(path.join(out, 'signoff', 'evidence'), name);
    if (files.length === 0 && stateDir) files = [path.join(stateDir, name)];
    return files.flatMap((file) => {
      const value = readJson<T>(file, since);
      if (value) sources.push(rel(file));
      return value ? [value] : [];
    });
  };
  return {
    ...(diagnosis ? { diagnosis } : {}),
    preflights: read('preflight.json'),
    states: read('run.json'),
    sources,
  };
}

/** The context block: this run's environment, as allure-extras wrote it, else from run.json. */
function contextOf(out: string, evidence: Evidence, since: number): EnvironmentBlock {
  const file = path.join(out, 'allure-results', 'environment.properties');
  try {
    if (statSync(file).mtimeMs >= since) {
      return readFileSync(file, 'utf8')
        .split('\n')
        .map((line) => /^((?:\\.|[^=])*)=(.*)$/.exec(line))
        .filter((match): match is RegExpExecArray => match !== null)
        .map(([, key = '', value = '']): [string, string] => [key.replace(/\\(.)/g, '$1'), value]);
    }
  } catch {
    // No environment block from this run: build one from the run state.
  }
  const state = evidence.states[0];
  const commit = gitCommit(ROOT);
  return environmentBlock({
    ...(state ? { env: state.env, urls: state.urls, services: state.preflight.services } : {}),
    ...(commit ? { commit } : {}),
  });
}

function runPlaywright(args: string[]): Promise<number> {
  const cli = path.join(ROOT, 'node_modules', '@playwright', 'test', 'cli.js');
  const child = spawn(process.execPath, [cli, 'test', '--grep', SIGNOFF_GREP, ...args], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  return new Promise((resolve) => child.on('close', (code) => resolve(code ?? 1)));
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const fromAt = args.findIndex((arg) => arg === '--from' || arg.startsWith('--from='));
  const from =
    fromAt < 0 ? undefined : args[fromAt]?.includes('=') ? args[fromAt]?.split('=')[1] : args[fromAt + 1];
  if (args.some((arg) => arg.startsWith('--shard'))) {
    process.stderr.write(
      'signoff: run the shards with `npm run golden-path -- --shard=i/n`, merge them, then `npm run signoff -- --from <merged folder>`\n',
    );
    process.exit(2);
  }
  let stateDir: string | undefined;
  try {
    stateDir = loadConfig().stateDir;
  } catch {
    stateDir = process.env.E2E_STATE_DIR
      ? path.resolve(process.env.E2E_STATE_DIR)
      : path.resolve('.golden-path');
  }

  let out: string;
  let since = 0;
  if (from !== undefined) {
    out = path.resolve(from);
    stateDir = undefined;
  } else {
    out = path.resolve(process.env.E2E_OUTPUT_DIR ?? '.');
    since = Date.now() - 1_000;
    process.stdout.write(`signoff: running the ${SIGNOFF_GREP} specs\n`);
    await runPlaywright(args);
  }

  const evidence = gatherEvidence(out, stateDir, since);
  const verdict = decide(evidence, contextOf(out, evidence, since));
  const secrets = knownSecrets();
  const dir = path.join(out, 'signoff');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'verdict.json'), secrets.mask(`${JSON.stringify(verdict, null, 2)}\n`));
  writeFileSync(path.join(dir, 'verdict.md'), secrets.mask(toMarkdown(verdict)));

  const rel = (file: string) => path.relative(process.cwd(), file) || file;
  const lines = ['', `sign-off: ${verdict.verdict}`];
  if (verdict.cause) {
    lines.push(`  cause: ${verdict.cause.code ? `[${verdict.cause.code}] ` : ''}${verdict.cause.summary}`);
  }
  for (const criterion of verdict.criteria) {
    lines.push(
      `  ${STATUS_WORD[criterion.status].padEnd(11)} ${criterion.title}${criterion.codes.length ? ` [${criterion.codes.join(', ')}]` : ''}`,
    );
  }
  lines.push(`  verdict: ${rel(path.join(dir, 'verdict.md'))} (and verdict.json)`, '');
  process.stdout.write(secrets.mask(lines.join('\n')));
  process.exit(verdict.verdict === 'APPROVED' ? 0 : 1);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
