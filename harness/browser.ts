/**
 * Which Chromium to run, in order: Playwright's own build when installed, `CHROMIUM_PATH`,
 * then Debian's `/usr/bin/chromium`. The setup script installs the last one when none exists.
 */
import { existsSync } from 'node:fs';

export interface BrowserChoice {
  source: 'playwright' | 'CHROMIUM_PATH' | 'system';
  /** undefined: let Playwright use its own build. */
  executablePath: string | undefined;
}

export const SYSTEM_CHROMIUM = '/usr/bin/chromium';

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

export function chooseBrowser(
  playwrightBuild: string | undefined,
  env = process.env,
): BrowserChoice | undefined {
  if (playwrightBuild && existsSync(playwrightBuild))
    return { source: 'playwright', executablePath: undefined };
  const fromEnv = env.CHROMIUM_PATH;
  if (fromEnv) return existsSync(fromEnv) ? { source: 'CHROMIUM_PATH', executablePath: fromEnv } : undefined;
  if (existsSync(SYSTEM_CHROMIUM)) return { source: 'system', executablePath: SYSTEM_CHROMIUM };
  return undefined;
}

export const NO_BROWSER_HELP =
  "No Chromium found. Tried: Playwright's own build, CHROMIUM_PATH, /usr/bin/chromium. " +
  'Install one of: `npx playwright install chromium` (needs internet), `apt-get install -y chromium` (Debian, as root), ' +
  'or set CHROMIUM_PATH to a Chromium/Chrome binary.';
