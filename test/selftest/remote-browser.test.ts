/**
 * E2E_BROWSER_WS_ENDPOINT: the harness connects to a Playwright browser server (a grid, in real
 * life) instead of launching a browser. Here the server runs on loopback, and the child run is
 * given no browser of its own (PLAYWRIGHT_BROWSERS_PATH and CHROMIUM_PATH lead nowhere), so a
 * passing golden path can only have run on the remote one; the same run without the endpoint
 * fails for want of a browser, which shows the control is real.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type BrowserServer, chromium } from '@playwright/test';
import { CHROMIUM_ARGS, chooseBrowser } from '../../harness/browser.ts';
import { harnessEnv, type RunningPlatform, runHarness, startPlatform } from '../support/platform.ts';

const NOWHERE = '/nonexistent/golden-path-no-browser';

let platform: RunningPlatform;
let server: BrowserServer;

before(async () => {
  const choice = chooseBrowser(chromium.executablePath());
  [platform, server] = await Promise.all([
    startPlatform(),
    chromium.launchServer({
      ...(choice?.executablePath ? { executablePath: choice.executablePath } : {}),
      host: '127.0.0.1',
      args: CHROMIUM_ARGS,
    }),
  ]);
});

after(async () => {
  await Promise.all([server?.close(), platform?.stop()]);
});

describe('a remote browser through E2E_BROWSER_WS_ENDPOINT', { timeout: 90_000 }, () => {
  const noLocalBrowser = { PLAYWRIGHT_BROWSERS_PATH: NOWHERE, CHROMIUM_PATH: NOWHERE };

  it('the golden path passes on a browser the harness did not launch', async () => {
    const endpoint = server.wsEndpoint();
    assert.match(endpoint, /^ws:\/\/127\.0\.0\.1:\d+\//);
    const run = await runHarness(
      ['--grep', '@golden-path'],
      harnessEnv(platform.urls, { ...noLocalBrowser, E2E_BROWSER_WS_ENDPOINT: endpoint }),
    );
    assert.equal(run.exitCode, 0, `${run.stdout.slice(-3000)}\n${run.stderr.slice(-1500)}`);
    const golden = run.diagnosis?.tests.find((test) => test.title.includes('golden path'));
    assert.equal(golden?.status, 'passed');
    assert.ok(
      golden?.timeline?.some((entry) => entry.type === 'agent_completed'),
      'no agent_completed',
    );
    const environment = readFileSync(
      path.join(run.outputDir, 'allure-results', 'environment.properties'),
      'utf8',
    );
    assert.match(environment, /^browser=Chromium [\d.]+ \(remote, ws:\/\/127\.0\.0\.1:\d+\/.*\)$/m);
  });

  it('without the endpoint the same run has no browser at all (so the pass above was remote)', async () => {
    const run = await runHarness(['--grep', '@golden-path'], harnessEnv(platform.urls, noLocalBrowser));
    assert.notEqual(run.exitCode, 0);
    const golden = run.diagnosis?.tests.find((test) => test.title.includes('golden path'));
    assert.notEqual(golden?.status, 'passed');
    assert.match(`${run.stdout}${run.stderr}`, /Executable doesn't exist|browserType\.launch/);
  });
});
