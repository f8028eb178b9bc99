/**
 * Which Chromium to run, in order: Playwright's own build when installed, `CHROMIUM_PATH`,
 * then Debian's: `/usr/bin/chromium-headless-shell` for headless runs, `/usr/bin/chromium`.
 * The setup script installs Debian's when none exists.
 *
 * Why the headless shell first: it is the build Playwright itself runs headless (its own
 * `chromium-headless-shell`), and on this 2-core machine a golden path costs Chromium about
 * 0.8 CPU-seconds in it against 2.3 in the full browser's headless mode (BENCHMARKS.md). A
 * headed run (`--headed`, `--debug`, `--ui`, PWDEBUG) needs a window, so it skips the shell.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chromium } from '@playwright/test';
import type { HarnessConfig } from './config.ts';
import { publicUrl } from './environment.ts';

export interface BrowserChoice {
  source: 'playwright' | 'CHROMIUM_PATH' | 'system';
  /** undefined: let Playwright use its own build. */
  executablePath: string | undefined;
}

export const SYSTEM_CHROMIUM = '/usr/bin/chromium';
export const SYSTEM_HEADLESS_SHELL = '/usr/bin/chromium-headless-shell';

/**
 * Flags for a machine with a closed network: without them Chromium keeps trying to reach
 * Google's services in the background, and those connections fail by the dozen.
 */
export const CHROMIUM_ARGS = [
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
  '--disable-gpu',
];

/** Whether this Playwright run shows a browser window (so a headless-only build will not do). */
export function runsHeaded(argv: string[] = process.argv, env = process.env): boolean {
  return !!env.PWDEBUG || argv.some((arg) => arg === '--headed' || arg === '--debug' || arg === '--ui');
}

export function chooseBrowser(
  playwrightBuild: string | undefined,
  env = process.env,
  options: { headed?: boolean } = { headed: runsHeaded() },
): BrowserChoice | undefined {
  if (playwrightBuild && existsSync(playwrightBuild))
    return { source: 'playwright', executablePath: undefined };
  const fromEnv = env.CHROMIUM_PATH;
  if (fromEnv) return existsSync(fromEnv) ? { source: 'CHROMIUM_PATH', executablePath: fromEnv } : undefined;
  const system = options.headed ? [SYSTEM_CHROMIUM] : [SYSTEM_HEADLESS_SHELL, SYSTEM_CHROMIUM];
  const found = system.find((candidate) => existsSync(candidate));
  return found ? { source: 'system', executablePath: found } : undefined;
}

export const NO_BROWSER_HELP =
  "No Chromium found. Tried: Playwright's own build, CHROMIUM_PATH, /usr/bin/chromium-headless-shell, /usr/bin/chromium. " +
  'Install one of: `npx playwright install chromium` (needs internet), ' +
  '`apt-get install -y chromium chromium-headless-shell` (Debian, as root), ' +
  'or set CHROMIUM_PATH to a Chromium/Chrome binary.';

/** The browser the tests ran on: the remote one, asked over its endpoint, or the local binary's own answer. */
export async function browserVersion(config: HarnessConfig | undefined): Promise<string | undefined> {
  const remote = config?.browserWsEndpoint;
  if (remote) {
    try {
      const browser = await chromium.connect(remote, { timeout: 5_000 });
      const version = browser.version();
      await browser.close();
      return `Chromium ${version} (remote, ${publicUrl(remote)})`;
    } catch {
      return `remote browser at ${publicUrl(remote)} (version unknown: endpoint gone)`;
    }
  }
  const choice = chooseBrowser(chromium.executablePath());
  const executable = choice?.executablePath ?? chromium.executablePath();
  try {
    const said = execFileSync(executable, ['--version'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 5_000,
    });
    const version = /(\d+\.\d+\.\d+\.\d+)/.exec(said)?.[1];
    return version ? `Chromium ${version} (${choice?.source ?? 'playwright'})` : undefined;
  } catch {
    return undefined;
  }
}
