/**
 * Find a Chromium the way playwright.config.ts will, and install Debian's when there is none
 * and we may (root with apt-get). Otherwise stop and say exactly what to install.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chromium } from '@playwright/test';
import { chooseBrowser, NO_BROWSER_HELP } from '../harness/browser.ts';

const say = (line: string) => process.stderr.write(`[prepare] ${line}\n`);

if (process.env.E2E_BROWSER_WS_ENDPOINT) process.exit(0);
let choice = chooseBrowser(chromium.executablePath());
const isRoot = process.getuid?.() === 0;
if (!choice && !process.env.CHROMIUM_PATH && isRoot && existsSync('/usr/bin/apt-get')) {
  say('no Chromium found: installing Debian chromium and its headless shell with apt-get');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const ok = (args: string[]) => spawnSync('apt-get', args, { stdio: 'inherit', env }).status === 0;
  // The headless shell is what headless runs use (harness/browser.ts); the full browser is for
  // headed runs. A release without the shell package still gets the full browser.
  if (!ok(['update', '-qq'])) say('apt-get update failed');
  else if (
    !ok(['install', '-y', '-qq', 'chromium', 'chromium-headless-shell']) &&
    !ok(['install', '-y', '-qq', 'chromium'])
  )
    say('apt-get could not install chromium');
  choice = chooseBrowser(chromium.executablePath());
}
if (!choice) {
  say(NO_BROWSER_HELP);
  process.exit(1);
}
