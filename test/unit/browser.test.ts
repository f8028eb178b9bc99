import assert from 'node:assert/strict';
import fs, { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
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

/**
 * Run `body` as on a machine where, of the system browsers, only `installed` exist: node:fs's
 * `existsSync` answers for them, every other path as the real one does. The module under test
 * imports it by name, so the change reaches it through syncBuiltinESMExports.
 */
function withSystemBrowsers<T>(installed: string[], body: () => T): T {
  const real = fs.existsSync;
  const system = [SYSTEM_HEADLESS_SHELL, SYSTEM_CHROMIUM];
  fs.existsSync = (file) => (system.includes(String(file)) ? installed.includes(String(file)) : real(file));
  syncBuiltinESMExports();
  try {
    return body();
  } finally {
    fs.existsSync = real;
    syncBuiltinESMExports();
  }
}

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

  test(`then ${SYSTEM_HEADLESS_SHELL} for headless runs, then ${SYSTEM_CHROMIUM}`, () => {
    const both = [SYSTEM_HEADLESS_SHELL, SYSTEM_CHROMIUM];
    const system = (executablePath: string) => ({ source: 'system', executablePath });
    withSystemBrowsers(both, () =>
      assert.deepEqual(chooseBrowser(missing, {}, { headed: false }), system(SYSTEM_HEADLESS_SHELL)),
    );
    withSystemBrowsers([SYSTEM_CHROMIUM], () =>
      assert.deepEqual(chooseBrowser(missing, {}, { headed: false }), system(SYSTEM_CHROMIUM)),
    );
    withSystemBrowsers([SYSTEM_HEADLESS_SHELL], () =>
      assert.deepEqual(chooseBrowser(undefined, {}, { headed: false }), system(SYSTEM_HEADLESS_SHELL)),
    );
    withSystemBrowsers([], () => assert.equal(chooseBrowser(missing, {}, { headed: false }), undefined));
  });

  test('a headed run never gets the headless shell', () => {
    withSystemBrowsers([SYSTEM_HEADLESS_SHELL, SYSTEM_CHROMIUM], () =>
      assert.deepEqual(chooseBrowser(missing, {}, { headed: true }), {
        source: 'system',
        executablePath: SYSTEM_CHROMIUM,
      }),
    );
    withSystemBrowsers([SYSTEM_HEADLESS_SHELL], () =>
      assert.equal(chooseBrowser(missing, {}, { headed: true }), undefined),
    );
  });

  test('an installed system browser does not win over CHROMIUM_PATH or Playwright’s build', () => {
    withSystemBrowsers([SYSTEM_HEADLESS_SHELL, SYSTEM_CHROMIUM], () => {
      assert.equal(chooseBrowser(missing, { CHROMIUM_PATH: custom })?.executablePath, custom);
      assert.equal(chooseBrowser(playwrightBuild, {})?.source, 'playwright');
    });
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
