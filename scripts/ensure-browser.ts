/**
 * Find a Chromium the way playwright.config.ts will, and install Debian's when there is none
 * and we may (root with apt-get). Otherwise stop and say exactly what to install. apt's output
 * goes to `.golden-path/logs/apt-chromium.log`; the terminal gets one line with the step's time.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from '@playwright/test';
import { type BrowserChoice, chooseBrowser, NO_BROWSER_HELP } from '../harness/browser.ts';
import { logFile, runLogged, say, step } from '../harness/quiet-step.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const describe = (choice: BrowserChoice) =>
  choice.executablePath ?? `Playwright's own (${chromium.executablePath()})`;

if (process.env.E2E_BROWSER_WS_ENDPOINT) process.exit(0);
let choice = chooseBrowser(chromium.executablePath());
const isRoot = process.getuid?.() === 0;
if (!choice && !process.env.CHROMIUM_PATH && isRoot && existsSync('/usr/bin/apt-get')) {
  const log = logFile(ROOT, 'apt-chromium.log');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const apt = (args: string[]) => runLogged(log, 'apt-get', args, { env });
  // The headless shell is what headless runs use (harness/browser.ts); the full browser is for
  // headed runs. A release without the shell package still gets the full browser.
  step(
    'no Chromium found: installing Debian chromium and chromium-headless-shell with apt-get',
    log,
    () =>
      apt(['update', '-qq']) &&
      (apt(['install', '-y', '-qq', 'chromium', 'chromium-headless-shell']) ||
        apt(['install', '-y', '-qq', 'chromium'])),
  );
  choice = chooseBrowser(chromium.executablePath());
}
if (!choice) {
  say(NO_BROWSER_HELP);
  process.exit(1);
}
say(`browser found: ${describe(choice)}`);
