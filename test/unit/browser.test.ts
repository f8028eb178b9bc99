import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import {
  CHROMIUM_ARGS,
  chooseBrowser,
  NO_BROWSER_HELP,
  runsHeaded,
  SYSTEM_CHROMIUM,
  SYSTEM_HEADLESS_SHELL,
} from '../../harness/browser.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'gp-browser-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const playwrightBuild = path.join(dir, 'playwright-chrome');
const custom = path.join(dir, 'my-chromium');
writeFileSync(playwrightBuild, '');
writeFileSync(custom, '');
const missing = path.join(dir, 'not-installed');

describe('chooseBrowser', () => {
  test("Playwright's own build comes first, even with CHROMIUM_PATH set", () => {
    assert.deepEqual(chooseBrowser(playwrightBuild, { CHROMIUM_PATH: custom }), {
      source: 'playwright',
      executablePath: undefined,
    });
  });

  test('then CHROMIUM_PATH', () => {
    assert.deepEqual(chooseBrowser(missing, { CHROMIUM_PATH: custom }), {
      source: 'CHROMIUM_PATH',
      executablePath: custom,
    });
    assert.deepEqual(chooseBrowser(undefined, { CHROMIUM_PATH: custom }), {
      source: 'CHROMIUM_PATH',
      executablePath: custom,
    });
  });

  test('a CHROMIUM_PATH that does not exist is not silently replaced', () => {
    assert.equal(chooseBrowser(missing, { CHROMIUM_PATH: missing }), undefined);
  });

  test(`then ${SYSTEM_HEADLESS_SHELL} for headless runs, then ${SYSTEM_CHROMIUM}, if this machine has them`, () => {
    const first = [SYSTEM_HEADLESS_SHELL, SYSTEM_CHROMIUM].find((candidate) => existsSync(candidate));
    const expected = first ? { source: 'system', executablePath: first } : undefined;
    assert.deepEqual(chooseBrowser(missing, {}, { headed: false }), expected);
  });

  test(`a headed run never gets the headless shell`, () => {
    const expected = existsSync(SYSTEM_CHROMIUM)
      ? { source: 'system', executablePath: SYSTEM_CHROMIUM }
      : undefined;
    assert.deepEqual(chooseBrowser(missing, {}, { headed: true }), expected);
  });

  test('a run is headed with --headed, --debug, --ui or PWDEBUG', () => {
    assert.equal(runsHeaded(['node', 'playwright', 'test'], {}), false);
    for (const flag of ['--headed', '--debug', '--ui'])
      assert.equal(runsHeaded(['node', 'playwright', 'test', flag], {}), true, flag);
    assert.equal(runsHeaded(['node', 'playwright', 'test'], { PWDEBUG: '1' }), true);
  });

  test('launch flags keep Chromium off the network in the background', () => {
    for (const flag of ['--disable-background-networking', '--disable-component-update', '--disable-sync'])
      assert.ok(CHROMIUM_ARGS.includes(flag), flag);
  });

  test('the help names every place tried and what to install', () => {
    for (const words of [
      'CHROMIUM_PATH',
      '/usr/bin/chromium',
      '/usr/bin/chromium-headless-shell',
      'npx playwright install chromium',
      'apt-get install',
    ])
      assert.ok(NO_BROWSER_HELP.includes(words), words);
  });
});
