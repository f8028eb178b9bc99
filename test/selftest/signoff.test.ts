/**
 * `npm run signoff` end to end (the decision itself is unit-tested: test/unit/signoff.test.ts):
 * against the healthy reference platform it approves
 * (exit 0), and against one with a fault it rejects, naming the fault's cause code, with the
 * failure in its cause's category in the Allure report (exit 1).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SIGNOFF_GREP } from '../../harness/signoff/criteria.ts';
import type { SignoffVerdict as Verdict } from '../../harness/signoff/verdict.ts';
import { buildReport } from '../../scripts/report.ts';
import {
  harnessEnv,
  PLATFORM_DEFAULTS,
  type RunningPlatform,
  runHarness,
  runNode,
  startPlatform,
} from '../support/platform.ts';

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

describe('npm run signoff, end to end', { timeout: 240_000 }, () => {
  const base = mkdtempSync(path.join(tmpdir(), 'golden-path-signoff-'));
  let healthy: RunningPlatform;
  let faulty: RunningPlatform;
  let runs: [SignoffRun, SignoffRun];
  let minimal: { exitCode: number; output: string; verdict: Verdict | undefined };

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
    // The self-tests' kind of run: E2E_REPORT=minimal (no Allure), then a decision from its folder.
    const out = path.join(base, 'minimal');
    const run = await runHarness(
      ['--grep', SIGNOFF_GREP],
      harnessEnv(healthy.urls, { E2E_REPORT: 'minimal' }),
      out,
    );
    const decided = await runNode(['--import', 'tsx', 'scripts/signoff.ts', '--from', out], {
      FORCE_COLOR: '0',
    });
    let verdict: Verdict | undefined;
    try {
      verdict = JSON.parse(readFileSync(path.join(out, 'signoff', 'verdict.json'), 'utf8')) as Verdict;
    } catch {
      verdict = undefined;
    }
    minimal = {
      exitCode: decided.exitCode,
      output: `${run.stdout.slice(-1500)}\n${decided.stdout}${decided.stderr}`,
      verdict,
    };
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

  it('decides from full evidence after an E2E_REPORT=minimal run (`--from`): the preflight and tokens too', () => {
    assert.equal(minimal.exitCode, 0, minimal.output);
    assert.equal(minimal.verdict?.verdict, 'APPROVED', minimal.output);
    const status = (id: string) => minimal.verdict?.criteria.find((criterion) => criterion.id === id)?.status;
    assert.equal(status('services'), 'passed');
    assert.equal(status('tokens'), 'passed');
    assert.ok(
      minimal.verdict?.evidence.some((source) => source.endsWith(path.join('evidence', 'preflight.json'))),
    );
  });
});
