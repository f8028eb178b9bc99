/**
 * The sign-off verdict comes from evidence only. First the decision itself, on evidence made
 * here; then `npm run signoff` end to end: against the healthy reference platform it approves
 * (exit 0), and against one with a fault it rejects, naming the fault's cause code, with the
 * failure in its cause's category in the Allure report (exit 1).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { TimelineEntry } from '../../harness/agent-run.ts';
import { CAUSE_CODES } from '../../harness/causes.ts';
import { AGENT_EVENTS } from '../../harness/config.ts';
import type { PreflightResult } from '../../harness/preflight.ts';
import type { Diagnosis, DiagnosisEntry } from '../../reporters/run-summary.ts';
import { buildReport } from '../../scripts/report.ts';
import {
  CRITERIA,
  CRITERION_OF_CODE,
  decide,
  type Evidence,
  RUN_CODES,
  type Verdict,
} from '../../scripts/signoff.ts';
import {
  harnessEnv,
  PLATFORM_DEFAULTS,
  type RunningPlatform,
  runNode,
  startPlatform,
} from '../support/platform.ts';

const timeline: TimelineEntry[] = AGENT_EVENTS.map((type, index) => ({
  type,
  ms: 100 * (index + 1),
  runId: 'run_1',
}));

const entry = (file: string, title: string, extra: Partial<DiagnosisEntry> = {}): DiagnosisEntry => ({
  title,
  file,
  project: 'chromium',
  status: 'passed',
  ...extra,
});

const healthyTests = (): DiagnosisEntry[] => [
  entry('e2e/preflight.spec.ts', 'preflight: services healthy and tokens verified', { tags: ['@preflight'] }),
  entry('e2e/auth.spec.ts', 'refuses no token', { tags: ['@auth'] }),
  entry('e2e/golden-path.spec.ts', 'a signed-in user chats', { tags: ['@golden-path'], timeline }),
  entry('e2e/isolation.spec.ts', 'two users', { tags: ['@isolation'], timeline }),
];

const preflight: PreflightResult = {
  ok: true,
  at: new Date().toISOString(),
  probes: [
    {
      service: 'auth',
      name: 'GET /health',
      url: 'http://a/health',
      ok: true,
      unreachable: false,
      status: 200,
      latencyMs: 12,
      excerpt: '',
    },
  ],
  services: { auth: { version: '1.0.0' } },
};

function evidence(tests: DiagnosisEntry[], extra: Partial<Evidence> = {}): Evidence {
  const failed = tests.some((test) => test.status !== 'passed' && test.status !== 'skipped');
  const diagnosis: Diagnosis = {
    status: failed ? 'failed' : 'passed',
    startedAt: new Date().toISOString(),
    durationMs: 1000,
    counts: {},
    tests,
  };
  return {
    diagnosis,
    preflights: [preflight],
    states: [
      {
        env: 'test',
        urls: { frontend: 'http://f', api: 'http://a', auth: 'http://au', ws: 'ws://a/ws' },
        preflight,
        users: [{ email: 'a@example.test', userId: 'u1', tokenSource: 'test-auth', validForS: 900 }],
      },
    ],
    sources: [],
    ...extra,
  };
}

const statusOf = (verdict: Verdict) => Object.fromEntries(verdict.criteria.map((c) => [c.id, c.status]));

describe('the sign-off decision', () => {
  it('every cause code speaks to a criterion, or stops the run', () => {
    const unmapped = CAUSE_CODES.filter((code) => !CRITERION_OF_CODE[code] && !RUN_CODES.includes(code));
    assert.deepEqual(unmapped, [], 'new cause codes need a criterion in scripts/signoff.ts');
  });

  it('approves when every criterion has passing evidence', () => {
    const verdict = decide(evidence(healthyTests()));
    assert.equal(verdict.verdict, 'APPROVED', JSON.stringify(verdict.criteria, null, 1));
    assert.equal(verdict.criteria.length, CRITERIA.length);
    const started = verdict.latency.find((item) => item.event === 'agent_started');
    assert.deepEqual(started, { event: 'agent_started', runs: 2, p50: 100, max: 100 });
  });

  it('does not approve a criterion whose tests did not run', () => {
    const verdict = decide(evidence(healthyTests().filter((test) => !test.file?.includes('isolation'))));
    assert.equal(verdict.verdict, 'REJECTED');
    assert.equal(statusOf(verdict).isolation, 'unproven');
    assert.match(verdict.cause?.summary ?? '', /Isolation has no evidence: no test of this criterion ran/);
    const skipped = healthyTests().map((test) =>
      test.file?.includes('auth') ? { ...test, status: 'skipped' } : test,
    );
    assert.equal(statusOf(decide(evidence(skipped))).unauthenticated, 'unproven');
  });

  it('does not take "passed" for five events without a timeline that shows them in order', () => {
    const tests = healthyTests().map((test) => ({ ...test, timeline: undefined }));
    assert.equal(statusOf(decide(evidence(tests))).events, 'unproven');
    const reordered = [...timeline].reverse().map((item, index) => ({ ...item, ms: 100 * (index + 1) }));
    const wrong = healthyTests().map((test) => (test.timeline ? { ...test, timeline: reordered } : test));
    assert.equal(statusOf(decide(evidence(wrong))).events, 'unproven');
  });

  it('names the first cause, and credits only what the journey got past', () => {
    const tests = healthyTests().map((test) =>
      test.file?.includes('golden') || test.file?.includes('isolation')
        ? {
            ...test,
            status: 'failed',
            code: 'EVENT_MISSING' as const,
            summary: '[EVENT_MISSING] missing tool_completed',
          }
        : test,
    );
    const verdict = decide(evidence(tests));
    assert.equal(verdict.verdict, 'REJECTED');
    assert.equal(verdict.cause?.code, 'EVENT_MISSING');
    assert.deepEqual(statusOf(verdict), {
      services: 'passed',
      unauthenticated: 'passed',
      tokens: 'passed',
      socket: 'passed',
      events: 'failed',
      isolation: 'unproven',
      ui: 'unproven',
    });
  });

  it('puts a failed global setup first, and a failure without a code is not approved either', () => {
    const setup: DiagnosisEntry = {
      title: 'global setup',
      status: 'failed',
      code: 'SERVICE_UNHEALTHY',
      summary: 'x',
    };
    const verdict = decide(evidence([setup], { preflights: [{ ...preflight, ok: false }], states: [] }));
    assert.equal(verdict.cause?.code, 'SERVICE_UNHEALTHY');
    assert.equal(statusOf(verdict).services, 'failed');
    const bare = healthyTests().map((test) =>
      test.file?.includes('golden') ? { ...test, status: 'timedOut' } : test,
    );
    const uncoded = decide(evidence(bare));
    assert.equal(uncoded.verdict, 'REJECTED');
    assert.equal(statusOf(uncoded).ui, 'failed');
  });
});

interface AllureNode {
  attachments?: { name: string; type: string }[];
  steps?: AllureNode[];
}

const attachmentsOf = (node: AllureNode): { name: string; type: string }[] => [
  ...(node.attachments ?? []),
  ...(node.steps ?? []).flatMap(attachmentsOf),
];

interface SignoffRun {
  exitCode: number;
  stdout: string;
  out: string;
  verdict: Verdict | undefined;
  markdown: string;
}

/** `npm run signoff` (less the install step) as a child, configured only by E2E_* variables. */
async function signoff(env: Record<string, string>, out: string): Promise<SignoffRun> {
  const run = await runNode(['--import', 'tsx', 'scripts/signoff.ts'], {
    ...env,
    E2E_OUTPUT_DIR: out,
    E2E_STATE_DIR: path.join(out, 'state'),
    FORCE_COLOR: '0',
  });
  const read = (name: string) => {
    try {
      return readFileSync(path.join(out, 'signoff', name), 'utf8');
    } catch {
      return '';
    }
  };
  const json = read('verdict.json');
  return {
    exitCode: run.exitCode,
    stdout: `${run.stdout}${run.stderr}`,
    out,
    verdict: json ? (JSON.parse(json) as Verdict) : undefined,
    markdown: read('verdict.md'),
  };
}

describe('npm run signoff, end to end', { timeout: 150_000 }, () => {
  const base = mkdtempSync(path.join(tmpdir(), 'golden-path-signoff-'));
  let healthy: RunningPlatform;
  let faulty: RunningPlatform;
  let runs: [SignoffRun, SignoffRun];

  before(async () => {
    [healthy, faulty] = await Promise.all([
      startPlatform(),
      startPlatform({ PLATFORM_FAULT: 'drop-tool_completed' }),
    ]);
    // Both at once, each against its own platform and folders: the file stays well inside its time.
    runs = await Promise.all([
      signoff(harnessEnv(healthy.urls), path.join(base, 'healthy')),
      signoff(harnessEnv(faulty.urls), path.join(base, 'fault')),
    ]);
  });

  after(async () => {
    await Promise.all([healthy?.stop(), faulty?.stop()]);
  });

  it('approves the healthy platform, with exit code 0 and no secret in the verdict', async () => {
    const [run] = runs;
    assert.equal(run.exitCode, 0, run.stdout.slice(-3000));
    assert.equal(run.verdict?.verdict, 'APPROVED');
    assert.ok(run.verdict?.criteria.every((criterion) => criterion.status === 'passed'));
    assert.ok((run.verdict?.run?.counts.passed ?? 0) >= 7, 'preflight, 4 auth, golden path, isolation');
    assert.deepEqual(run.verdict?.outOfScope, [], 'the resilience spec is not part of the sign-off');
    assert.match(run.markdown, /^# Sign-off: APPROVED/);
    assert.match(run.markdown, /\| commit \| [0-9a-f]{12}/);
    for (const secret of [PLATFORM_DEFAULTS.bypassKey, PLATFORM_DEFAULTS.password]) {
      assert.ok(!run.markdown.includes(secret) && !JSON.stringify(run.verdict).includes(secret));
    }
  });

  it('rejects the platform with a fault: names EVENT_MISSING, exit code 1, a categorised Allure failure', async () => {
    const [, run] = runs;
    assert.equal(run.exitCode, 1, run.stdout.slice(-3000));
    assert.equal(run.verdict?.verdict, 'REJECTED');
    assert.equal(run.verdict?.cause?.code, 'EVENT_MISSING');
    assert.equal(run.verdict?.criteria.find((criterion) => criterion.id === 'events')?.status, 'failed');
    assert.match(run.markdown, /^# Sign-off: REJECTED/);
    assert.match(run.markdown, /Cause: `\[EVENT_MISSING\]`/);
    assert.match(run.stdout, /sign-off: REJECTED\n {2}cause: \[EVENT_MISSING\]/);

    // The failure's Allure result carries the screenshot at failure, the trace and the timeline.
    const results = path.join(run.out, 'allure-results');
    const failed = readdirSync(results)
      .filter((name) => name.endsWith('-result.json'))
      .map(
        (name) =>
          JSON.parse(readFileSync(path.join(results, name), 'utf8')) as AllureNode & {
            status: string;
            name: string;
            labels: { name: string; value: string }[];
          },
      )
      .find((result) => result.status === 'failed' && result.name.startsWith('a signed-in user'));
    assert.ok(failed, 'no failed golden-path result');
    const types = Object.fromEntries(
      attachmentsOf(failed).map((attachment) => [attachment.name, attachment.type]),
    );
    assert.equal(types.screenshot, 'image/png');
    assert.equal(types.trace, 'application/vnd.allure.playwright-trace');
    assert.equal(types['agent-run-timeline.txt'], 'text/plain');
    assert.ok(failed.labels.some((label) => label.name === 'cause' && label.value === 'EVENT_MISSING'));

    const report = buildReport({
      results: path.join(run.out, 'allure-results'),
      report: path.join(run.out, 'allure-report'),
      history: path.join(run.out, 'history.jsonl'),
    });
    const categories = JSON.parse(
      readFileSync(path.join(path.dirname(report.folder), 'widgets', 'categories.json'), 'utf8'),
    ) as { nodes: Record<string, { type: string; name: string; statistic?: Record<string, number> }> };
    const category = Object.values(categories.nodes).find(
      (node) => node.type === 'category' && node.name.startsWith('EVENT_MISSING:'),
    );
    assert.ok(category, `no EVENT_MISSING category in the Allure report: ${Object.keys(categories.nodes)}`);
    assert.ok((category.statistic?.failed ?? 0) >= 1, 'the EVENT_MISSING category holds no failed test');
  });
});
