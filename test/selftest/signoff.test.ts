/**
 * `npm run signoff` end to end (the decision itself is unit-tested: test/unit/signoff.test.ts):
 * against the healthy reference platform it approves
 * (exit 0), and against one with a fault it rejects, naming the fault's cause code, with the
 * failure in its cause's category in the Allure report (exit 1).
 *
 * The same runs carry the reports' acceptance: each sign-off posts its verdict to a loopback
 * webhook (the healthy one to a webhook that fails, 500 then silence, and still exits 0); and
 * the third run, against a platform whose agent_started comes 800 ms late, is the fifth night
 * of a latency history whose first four are seeded with the healthy sign-off's own latency:
 * its verdict names the drift with its numbers and still approves.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
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
import { launchChromium, openAllureTest, serveFolder, shownImage } from '../support/report-pages.ts';
import { startWebhookRecorder, type WebhookRecorder } from '../support/webhook-recorder.ts';

/** How long each webhook try may take here: the failing webhook's silent second try ends at it. */
const HOOK_TIMEOUT_MS = 2000;

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
  let delayed: RunningPlatform;
  let runs: [SignoffRun, SignoffRun];
  let minimal: { exitCode: number; output: string; verdict: Verdict | undefined; out: string };
  let report: ReturnType<typeof buildReport>;
  let hooks: WebhookRecorder;
  const hook = { failing: '', rejected: '', approved: '' };
  const REPORT_URL = 'https://ci.example.test/runs/42';

  before(async () => {
    hooks = await startWebhookRecorder();
    hook.failing = hooks.url('failing');
    hook.rejected = hooks.url('ok');
    hook.approved = hooks.url('ok');
    [healthy, faulty, delayed] = await Promise.all([
      startPlatform(),
      startPlatform({ PLATFORM_FAULT: 'drop-tool_completed' }),
      startPlatform({ PLATFORM_FAULT: 'agent-started-delayed', PLATFORM_FAULT_DELAY_MS: '800' }),
    ]);
    const notify = (url: string) => ({
      E2E_NOTIFY_WEBHOOK: url,
      E2E_NOTIFY_TIMEOUT_MS: String(HOOK_TIMEOUT_MS),
      E2E_REPORT_URL: REPORT_URL,
    });
    // Both at once, each against its own platform and folders: the file stays well inside its time.
    runs = await Promise.all([
      signoff(harnessEnv(healthy.urls, notify(hook.failing)), path.join(base, 'healthy')),
      signoff(harnessEnv(faulty.urls, notify(hook.rejected)), path.join(base, 'fault')),
    ]);
    const [, fault] = runs;
    report = buildReport({
      results: path.join(fault.out, 'allure-results'),
      report: path.join(fault.out, 'allure-report'),
      history: path.join(fault.out, 'history.jsonl'),
    });
    // The self-tests' kind of run: E2E_REPORT=minimal (no Allure), then a decision from its folder.
    // Its history holds four earlier nights at the healthy sign-off's latency (seeded).
    const out = path.join(base, 'minimal');
    const history = path.join(out, 'state', 'latency-history.jsonl');
    mkdirSync(path.dirname(history), { recursive: true });
    const seeded = [1, 2, 3, 4].flatMap((night) =>
      (runs[0].verdict?.latency ?? []).map((item) =>
        JSON.stringify({
          env: 'selftest',
          run: `2026-11-2${night}T01:00:00.000Z`,
          date: `2026-11-2${night}T01:20:00.000Z`,
          ...item,
        }),
      ),
    );
    writeFileSync(history, `${seeded.join('\n')}\n`);
    const run = await runHarness(
      ['--grep', SIGNOFF_GREP],
      harnessEnv(delayed.urls, { E2E_REPORT: 'minimal' }),
      out,
    );
    const decided = await runNode(['--import', 'tsx', 'scripts/signoff.ts', '--from', out], {
      FORCE_COLOR: '0',
      E2E_LATENCY_HISTORY: history,
      ...notify(hook.approved),
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
      out,
    };
  });

  after(async () => {
    await Promise.all([healthy?.stop(), faulty?.stop(), delayed?.stop(), hooks?.close()]);
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

  it('names the drift of the slowed fifth night with its numbers, and still approves', () => {
    const { verdict, output } = minimal;
    assert.equal(verdict?.verdict, 'APPROVED', output);
    assert.equal(verdict?.drift?.state, 'checked', output);
    assert.equal(verdict?.drift?.history, 4);
    const started = verdict?.drift?.findings.find((finding) => finding.event === 'agent_started');
    assert.ok(started, `no drift of agent_started: ${verdict?.drift?.note}`);
    assert.ok(started.tonight >= 800, `agent_started p50 ${started.tonight} ms, delayed 800 ms`);
    const warning = verdict?.warnings.find((text) => text.startsWith('latency drift'));
    assert.match(
      warning ?? '',
      new RegExp(
        `agent_started p50 ${started.tonight} ms tonight, ${started.above} % above the median ${started.median} ms of the last 4 run\\(s\\)`,
      ),
    );
    assert.match(output, /warning: latency drift/);
    // The trend beside the verdict draws the five nights.
    const trend = readFileSync(path.join(minimal.out, 'signoff', 'latency-trend.svg'), 'utf8');
    assert.match(trend, /<title>Event latency p50, last 5 run\(s\) of selftest<\/title>/);
    assert.match(output, /latency trend: .*signoff\/latency-trend\.svg/);
  });

  it('does not flag drift on a first run, and says why', () => {
    const [run] = runs;
    assert.equal(run.verdict?.drift?.state, 'too-little-history');
    assert.match(run.markdown, /Latency drift: drift not checked: 0 earlier run\(s\) of this env/);
  });

  it('posts each verdict to the webhook, Slack-compatible, without ever printing its URL', () => {
    const [rejected] = hooks.received(hook.rejected);
    const body = JSON.parse(rejected ?? '{}') as { text?: string; blocks?: { type: string }[] };
    assert.equal(hooks.received(hook.rejected).length, 1);
    assert.match(body.text ?? '', /^Golden path sign-off REJECTED: selftest at [0-9a-f]{12}/);
    assert.match(body.text ?? '', /failing: Five events \[EVENT_MISSING\]/);
    assert.match(body.text ?? '', new RegExp(`report: ${REPORT_URL}`));
    assert.deepEqual(
      body.blocks?.map((block) => block.type),
      ['header', 'section', 'section', 'context'],
    );
    assert.match(JSON.stringify(body.blocks), /\*Cause:\* \[EVENT_MISSING\]/);
    assert.match(JSON.stringify(body.blocks), new RegExp(`<${REPORT_URL}\\|the report>`));

    const approved = JSON.parse(hooks.received(hook.approved)[0] ?? '{}') as {
      text?: string;
      blocks?: unknown[];
    };
    assert.match(approved.text ?? '', /^Golden path sign-off APPROVED: selftest/);
    assert.doesNotMatch(approved.text ?? '', /failing/);
    assert.match(JSON.stringify(approved.blocks), /\*Warnings\*.*latency drift/);
    assert.match(minimal.output, /verdict posted to E2E_NOTIFY_WEBHOOK \(HTTP 200, try 1 of 2\)/);

    const [, fault] = runs;
    for (const [url, text] of [
      [hook.rejected, fault.stdout],
      [hook.failing, runs[0].stdout],
      [hook.approved, minimal.output],
    ] as const) {
      assert.ok(!text.includes(url) && !text.includes(new URL(url).pathname), 'the webhook URL was printed');
    }
    for (const run of runs) {
      for (const name of ['verdict.json', 'verdict.md'])
        assert.ok(!readFileSync(path.join(run.out, 'signoff', name), 'utf8').includes('/services/T'));
    }
  });

  it('retries a failing webhook once (500, then a timeout), says so, and keeps the exit code', () => {
    const [run] = runs;
    assert.equal(hooks.received(hook.failing).length, 2, 'one try and one retry');
    assert.equal(run.exitCode, 0, run.stdout.slice(-2000));
    assert.equal(run.verdict?.verdict, 'APPROVED');
    assert.match(
      run.stdout,
      new RegExp(
        `the verdict was NOT posted to E2E_NOTIFY_WEBHOOK: no answer within ${HOOK_TIMEOUT_MS} ms \\(2 tries of ${HOOK_TIMEOUT_MS} ms at most\\); the verdict and its exit code stand`,
      ),
    );
  });

  it("shows the failed golden path's waterfall, tool_completed missing in red, in the HTML report, Allure and the single file", async () => {
    const [, run] = runs;
    const GOLDEN = 'a signed-in user chats and watches the agent work';
    const browser = await launchChromium();
    const html = await serveFolder(path.join(run.out, 'playwright-report'));
    const allure = await serveFolder(path.dirname(report.folder));
    try {
      const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
      page.setDefaultTimeout(15_000);
      const shown = new Map<string, Awaited<ReturnType<typeof shownImage>>>();
      await page.goto(html.url);
      await page.getByText(GOLDEN).first().click();
      shown.set('HTML report', await shownImage(page.locator('img[src$=".svg"]').first()));
      for (const [name, url] of [
        ['Allure', allure.url],
        ['single file', pathToFileURL(report.singleFile).href],
      ] as const) {
        await page.goto(url);
        await openAllureTest(page, GOLDEN);
        await page.getByTestId('test-result-tab-attachments').click();
        const attachment = page.getByTestId('test-result-attachment').filter({ hasText: 'agent-run.svg' });
        await attachment.getByTestId('test-result-attachment-header').click();
        shown.set(name, await shownImage(attachment.locator('img')));
      }
      assert.deepEqual([...shown.keys()], ['HTML report', 'Allure', 'single file']);
      for (const [name, image] of shown) {
        assert.equal(image.naturalWidth, 960, `${name}: the waterfall did not load`);
        assert.ok(image.redPixels > 100, `${name}: nothing red drawn (${image.redPixels} pixels)`);
        assert.match(image.source, /<title>\[EVENT_MISSING\] a signed-in user chats/, name);
        assert.match(image.source, /data-event="tool_completed" data-state="missing"/, name);
      }
    } finally {
      await Promise.all([browser.close(), html.close(), allure.close()]);
    }
  });
});
