/**
 * In-process browser journeys on one Chromium the bench launches itself (warm: the browser is
 * already up), for two comparisons the child runs cannot make:
 *  - the UI floor: the same journey with plain Playwright calls and no harness at all;
 *  - the recorder's cost: that plain journey with and without the harness's agent-socket
 *    recorder attached (fixtures/journey.ts), under a heartbeat flood.
 */
import { performance } from 'node:perf_hooks';
import { type Browser, chromium, expect } from '@playwright/test';
import { openJourney } from '../fixtures/journey.ts';
import type { SocketRecorder } from '../fixtures/socket-recorder.ts';
import { CHROMIUM_ARGS, chooseBrowser } from '../harness/browser.ts';
import { loadConfig } from '../harness/config.ts';
import { builtInProfile } from '../harness/profile.ts';
import { createHarness, type Harness } from '../harness/run-context.ts';
import { harnessEnv, type PlatformUrls } from '../test/support/platform.ts';
import { processTree } from './proc.ts';

/** The reference platform's elements, as the contract profile finds them. */
const CONTRACT_UI = builtInProfile('contract').ui;

export async function launchBrowser(): Promise<Browser> {
  const choice = chooseBrowser(chromium.executablePath());
  return chromium.launch({
    ...(choice?.executablePath ? { executablePath: choice.executablePath } : {}),
    args: CHROMIUM_ARGS,
  });
}

/** The harness's worker-level objects, built the way the `harness` fixture builds them. */
export function harnessFor(urls: PlatformUrls, stateDir: string): Harness {
  return createHarness(loadConfig({ env: { ...harnessEnv(urls), E2E_STATE_DIR: stateDir } }));
}

/** CPU seconds per Chromium process under this one (the browser the bench launched). */
function chromiumCpu(): Map<number, number> {
  return new Map(
    processTree(process.pid)
      .filter((stat) => stat.name.startsWith('chromium') || stat.name.startsWith('chrome'))
      .map((stat) => [stat.pid, stat.cpuS]),
  );
}

/** CPU seconds Chromium spent since `before` (processes started since count in full). */
function chromiumCpuSince(before: Map<number, number>): number {
  let total = 0;
  for (const [pid, cpuS] of chromiumCpu()) total += cpuS - (before.get(pid) ?? 0);
  return total;
}

export interface BrowserJourneyResult {
  ok: boolean;
  error?: string;
  /** New context → agent response shown. */
  totalMs: number;
  /** Send clicked → agent response shown on the page. */
  runMs: number;
  /** Send clicked → the recorder holds agent_completed (recorder runs only). */
  recorderRunMs?: number;
  framesRecorded?: number;
  networkFramesReceived?: number;
  /** CPU seconds of the bench process (where the recorder's Node half runs) during the journey. */
  nodeCpuS: number;
  /** CPU seconds of Chromium (where the recorder's page half runs) during the journey. */
  browserCpuS: number;
}

/**
 * Sign in with the password form, wait for the chat to be ready, send one message, wait for
 * the answer on the page. With `harness`, the recorder is attached first, as the fixtures do.
 */
export async function browserJourney(
  browser: Browser,
  urls: PlatformUrls,
  user: { email: string; password: string },
  harness?: Harness,
): Promise<BrowserJourneyResult> {
  const cpu0 = process.cpuUsage();
  const browserCpu0 = chromiumCpu();
  const started = performance.now();
  const context = await browser.newContext({ baseURL: urls.frontend });
  // The bench runs under tsx, whose esbuild wraps named inner functions in `__name(...)`; the
  // recorder's in-page probe is serialised from this process, so the page needs that helper.
  // (Playwright's own loader, which the harness runs under, adds no such helper.) Both
  // variants get it, so the comparison stays fair.
  await context.addInitScript({ content: 'globalThis.__name ??= (target) => target;' });
  let recorder: SocketRecorder | undefined;
  const result: BrowserJourneyResult = {
    ok: false,
    totalMs: Number.NaN,
    runMs: Number.NaN,
    nodeCpuS: Number.NaN,
    browserCpuS: Number.NaN,
  };
  try {
    let page = undefined as Awaited<ReturnType<typeof context.newPage>> | undefined;
    if (harness) {
      const journey = await openJourney(context, harness);
      recorder = journey.agentSocket;
      page = journey.page;
    } else {
      page = await context.newPage();
    }
    await page.goto('/login');
    await page.getByLabel('Email').fill(user.email);
    await page.getByLabel('Password').fill(user.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(CONTRACT_UI.currentUser(page)).toHaveText(user.email);
    const send = page.getByRole('button', { name: 'Send' });
    await expect(send).toBeEnabled();
    await page.getByLabel('Message').fill('Which three checks matter most before a production release?');
    const clicked = performance.now();
    await send.click();
    await expect(CONTRACT_UI.answer(page).last()).toBeVisible({ timeout: 120_000 });
    result.runMs = performance.now() - clicked;
    if (recorder) {
      const verdict = await recorder.waitForRun();
      result.recorderRunMs = performance.now() - clicked;
      result.framesRecorded = recorder.frames.length;
      result.networkFramesReceived = recorder.networkFramesReceived;
      if (verdict.state !== 'passed')
        throw new Error(`recorder verdict ${verdict.state}: ${verdict.summary}`);
    }
    result.totalMs = performance.now() - started;
    result.ok = true;
  } catch (error) {
    result.error = (error as Error).message.split('\n')[0];
  } finally {
    const cpu = process.cpuUsage(cpu0);
    result.nodeCpuS = (cpu.user + cpu.system) / 1e6;
    result.browserCpuS = chromiumCpuSince(browserCpu0);
    await context.close();
  }
  return result;
}
