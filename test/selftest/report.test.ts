/**
 * `npm run report` builds an Allure 3 report a person can read: a golden-path run on the
 * reference platform, the report built from its results, then opened in Chromium the way it is
 * shared (the single file straight from disk over file://, the folder through a web server) and
 * checked for the golden-path test, its steps, the frame transcript, the environment block and
 * the Playwright trace. Screenshots are saved (their paths are printed) for a person to look at.
 * It also calls no third party, holds no secret, and keeps history across reports.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from '@playwright/test';
import { request } from 'undici';
import {
  type ChildRun,
  harnessEnv,
  PLATFORM_DEFAULTS,
  ROOT,
  type RunningPlatform,
  runHarness,
  runScriptSync,
  startPlatform,
} from '../support/platform.ts';
import { launchChromium, openAllureTest, type ServedFolder, serveFolder } from '../support/report-pages.ts';
import { needlesFor, SecretSearch } from '../support/secret-search.ts';

const GOLDEN = 'a signed-in user chats and watches the agent work';
/** Stable paths for the screenshots, so a person can find them after the run. */
const SHOTS = path.join(tmpdir(), 'golden-path-selftest');

let platform: RunningPlatform;
let run: ChildRun;
let reportDir: string;
let report: { exitCode: number; stdout: string };
let browser: Browser;
let server: ServedFolder;
/** Every secret of the run: value → label. */
const secrets = new Map<string, string>();
/** The commit the report must name: the harness's own checkout's, as the run saw it. */
const commit =
  process.env.GITHUB_SHA?.slice(0, 12) ??
  execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();

function buildReport(out: string): { exitCode: number; stdout: string } {
  const run = runScriptSync(['scripts/report.ts'], {
    E2E_OUTPUT_DIR: out,
    E2E_STATE_DIR: path.join(out, 'state'),
    E2E_ENV: 'selftest',
  });
  return { exitCode: run.status ?? -1, stdout: run.output };
}

/** Requests the page makes to anything but the report itself. */
function watchOutside(page: Page, allowed: string): string[] {
  const outside: string[] = [];
  page.on('request', (req) => {
    const url = req.url();
    if (!url.startsWith(allowed) && !url.startsWith('data:') && !url.startsWith('blob:')) outside.push(url);
  });
  return outside;
}

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  platform = await startPlatform();
  const out = mkdtempSync(path.join(tmpdir(), 'golden-path-report-'));
  run = await runHarness(
    ['--grep', '@preflight|@golden-path'],
    harnessEnv(platform.urls, { E2E_TRACE: 'on' }),
    out,
  );
  report = buildReport(out);
  reportDir = path.join(out, 'allure-report');
  browser = await launchChromium();
  server = await serveFolder(path.join(reportDir, 'awesome'));

  secrets.set(PLATFORM_DEFAULTS.bypassKey, 'bypass-key');
  secrets.set(PLATFORM_DEFAULTS.password, 'password');
  const issued = (await (await request(`${platform.urls.auth}/__platform/issued-tokens`)).body.json()) as {
    access_tokens: string[];
    refresh_tokens: string[];
  };
  for (const token of [...issued.access_tokens, ...issued.refresh_tokens]) secrets.set(token, 'token');
});

after(async () => {
  await browser?.close();
  await server?.close();
  await platform?.stop();
});

describe('npm run report', { timeout: 120_000 }, () => {
  it('builds the folder report and the single file from a golden-path run', () => {
    assert.equal(run.exitCode, 0, run.stdout.slice(-3000));
    assert.equal(report.exitCode, 0, report.stdout);
    for (const file of ['awesome/index.html', 'single-file/index.html']) {
      assert.ok(existsSync(path.join(reportDir, file)), `${file} missing`);
    }
    assert.match(
      report.stdout,
      /Allure report "Golden path: selftest, \d{4}-\d\d-\d\d": 2 tests \(2 passed\)/,
    );
    assert.match(report.stdout, /single file: .*single-file\/index\.html/);
  });

  it('gives the trace the type Allure opens in its trace viewer', () => {
    const results = path.join(run.outputDir, 'allure-results');
    const golden = readdirSync(results)
      .filter((name) => name.endsWith('-result.json'))
      .map((name) => JSON.parse(readFileSync(path.join(results, name), 'utf8')))
      .find((result) => result.name === GOLDEN);
    assert.ok(golden, 'no Allure result for the golden path');
    const attachments: { name: string; type: string }[] = [];
    const walk = (node: { attachments?: typeof attachments; steps?: unknown[] }) => {
      attachments.push(...(node.attachments ?? []));
      for (const step of node.steps ?? []) walk(step as typeof node);
    };
    walk(golden);
    const trace = attachments.find((attachment) => attachment.name === 'trace');
    assert.equal(trace?.type, 'application/vnd.allure.playwright-trace');
    assert.ok(attachments.some((attachment) => attachment.name === 'agent-run-timeline.txt'));
    const labels = Object.fromEntries(
      golden.labels.map((label: { name: string; value: string }) => [label.name, label.value]),
    );
    assert.equal(labels.epic, 'Golden path');
    assert.equal(labels.severity, 'blocker');
    assert.match(labels.feature, /five agent events/);
  });

  it('the single file, opened from disk, shows the test, its steps, the transcript and the environment', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    page.setDefaultTimeout(15_000);
    const file = pathToFileURL(path.join(reportDir, 'single-file', 'index.html')).href;
    const outside = watchOutside(page, 'file://');
    await page.goto(file);
    await page
      .getByText(/Golden path: selftest, \d{4}-\d\d-\d\d/)
      .first()
      .waitFor();

    // The environment block: env, URLs, service versions, browser, commit.
    const metadata = page.getByTestId('metadata-list').first();
    const showMore = page.getByText('Show more').first();
    if (await showMore.isVisible()) await showMore.click();
    for (const [key, value] of [
      ['env', 'selftest'],
      ['frontend url', platform.urls.frontend],
      ['backend service', 'agent-backend'],
      ['browser', 'Chromium'],
      ['commit', commit],
    ] as const) {
      const item = metadata.getByTestId('metadata-item').filter({ hasText: key }).first();
      await item.waitFor();
      assert.ok((await item.innerText()).includes(value), `environment ${key}: ${await item.innerText()}`);
    }
    await page.screenshot({ path: path.join(SHOTS, 'allure-overview.png') });

    await openAllureTest(page, GOLDEN);
    const steps = page.getByTestId('test-result-step-title');
    for (const step of [
      'sign in',
      'the chat shows the user, over an authenticated agent socket',
      'send a message',
      'the five agent events arrive in order, for this run only',
      'the page shows each event and the answer',
    ]) {
      await steps.filter({ hasText: step }).first().waitFor();
    }
    await page.getByText('Playwright Trace').first().waitFor();
    await page.screenshot({ path: path.join(SHOTS, 'allure-golden-path.png'), fullPage: true });

    await page.getByTestId('test-result-tab-attachments').click();
    const transcript = page
      .getByTestId('test-result-attachment')
      .filter({ hasText: 'agent-socket-transcript.json' });
    await transcript.first().click();
    await page.getByText('connection_established').first().waitFor();
    await page.screenshot({ path: path.join(SHOTS, 'allure-attachments.png'), fullPage: true });
    await page.close();
    assert.deepEqual(outside, [], 'the report called out to another host');
    for (const shot of ['allure-overview.png', 'allure-golden-path.png', 'allure-attachments.png']) {
      console.log(`screenshot: ${path.join(SHOTS, shot)}`);
    }
  });

  it('the folder report, served, shows the same test', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.setDefaultTimeout(15_000);
    const outside = watchOutside(page, server.url);
    await page.goto(server.url);
    await page
      .getByText(/Golden path: selftest/)
      .first()
      .waitFor();
    await openAllureTest(page, GOLDEN);
    await page.getByTestId('test-result-step-title').filter({ hasText: 'send a message' }).first().waitFor();
    await page.close();
    assert.deepEqual(outside, [], 'the report called out to another host');
  });

  it('holds no secret, in any file or in any data embedded in the single file', () => {
    const search = new SecretSearch([...secrets].flatMap(([value, label]) => needlesFor(label, value)));
    const scanned = search.tree(reportDir);
    assert.ok(
      scanned.opened.some((name) => /single-file\/index\.html!base64@\d+$/.test(name)),
      'found no embedded data to scan',
    );
    assert.deepEqual(scanned.problems, []);
    assert.deepEqual(
      scanned.findings.map((hit) => `${hit.label} (${hit.form}) in ${hit.where}`),
      [],
    );
    assert.ok(secrets.size >= 4);
  });

  it('keeps history across reports (historyPath)', () => {
    const history = path.join(run.outputDir, 'state', 'allure-history.jsonl');
    const lines = () => readFileSync(history, 'utf8').split('\n').filter(Boolean).length;
    const before = lines();
    const again = buildReport(run.outputDir);
    assert.equal(again.exitCode, 0, again.stdout);
    assert.equal(lines(), before + 1);
    copyFileSync(history, path.join(SHOTS, 'allure-history.jsonl'));
  });
});
