import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { chromium, defineConfig, type PlaywrightTestConfig } from '@playwright/test';
import { CHROMIUM_ARGS, chooseBrowser } from './harness/browser.ts';
import type { HarnessConfig, TraceMode } from './harness/config.ts';
import { browserProxy } from './harness/proxy.ts';
import { outputDir, outputPaths, tryLoadConfig } from './harness/run-context.ts';

/** `--shard=2/3` (or `--shard 2/3`) on the command line, if given. */
function shardOf(argv: string[]): { current: number; total: number } | undefined {
  const at = argv.findIndex((arg) => arg === '--shard' || arg.startsWith('--shard='));
  const value = at < 0 ? undefined : argv[at]?.includes('=') ? argv[at]?.split('=')[1] : argv[at + 1];
  const match = /^(\d+)\/(\d+)$/.exec(value ?? '');
  return match ? { current: Number(match[1]), total: Number(match[2]) } : undefined;
}

// An invalid configuration is reported by global setup (as `[CONFIG_INVALID]`, through the
// reporters, before any browser starts); here it only means: start no platform.
const config = tryLoadConfig();
const shard = shardOf(process.argv);
// Each shard writes to <output>/shards/<i>-of-<n>/, so shards run one after another on one
// machine keep their results apart for scripts/merge-shards.ts. The variable carries the choice
// to the workers and to the reporters that find their folders through it.
if (shard && !process.env.E2E_SHARD_OUTPUT) {
  const shards = outputPaths(outputDir()).shards;
  process.env.E2E_OUTPUT_DIR = path.join(shards, `${shard.current}-of-${shard.total}`);
  process.env.E2E_SHARD_OUTPUT = process.env.E2E_OUTPUT_DIR;
  // Run output, like the other report folders: keep git (and so Biome) out of it.
  mkdirSync(shards, { recursive: true });
  writeFileSync(path.join(shards, '.gitignore'), '*\n');
}
const out = outputDir();
const paths = outputPaths(out);

/**
 * What a trace records. By default a failed test keeps a trace with a DOM snapshot around every
 * action, but not the screencast: the screencast cost a passing golden path about 110 ms of its
 * 2.4 s, every run, for pictures the snapshots and the failure screenshot already give
 * (BENCHMARKS.md). `E2E_TRACE=on` records everything, screencast included, for every test.
 */
function traceSettings(mode: TraceMode): NonNullable<PlaywrightTestConfig['use']>['trace'] {
  if (mode === 'off') return 'off';
  if (mode === 'on') return { mode: 'on', screenshots: true, snapshots: true, sources: true };
  return { mode: 'retain-on-failure', screenshots: false, snapshots: true, sources: true };
}
const browser = chooseBrowser(chromium.executablePath());
const remote = config?.browserWsEndpoint;
const proxy = config ? browserProxy(config.network.proxy, config.frontendUrl) : undefined;

/**
 * The bundled platform: one process serving all three services (what `npm run platform` runs),
 * with a ready check on each service's health URL.
 *
 * One process, not one per service: each Node and tsx start-up costs about 0.7 s, and
 * Playwright starts web servers one after another (BENCHMARKS.md). The first entry starts it
 * and is ready when the process says so; Playwright polls a URL only at 100, 250, 500 ms and
 * then every second. The other two entries only check their service's health URL: the platform
 * is already serving it, so `reuseExistingServer` finds it up and starts nothing. (Should it be
 * down, their command starts a second platform, which cannot bind the ports and exits with
 * the reason, failing the run loudly.)
 */
function referencePlatform(harness: HarnessConfig): PlaywrightTestConfig['webServer'] {
  const port = (url: string) => new URL(url).port;
  const command = 'node --import tsx platform/main.ts';
  const env = {
    PLATFORM_SERVICES: 'auth,backend,frontend',
    PLATFORM_AUTH_PORT: port(harness.authUrl),
    PLATFORM_API_PORT: port(harness.apiUrl),
    PLATFORM_FRONTEND_PORT: port(harness.frontendUrl),
    PLATFORM_AUTH_URL: harness.authUrl,
    PLATFORM_API_URL: harness.apiUrl,
    PLATFORM_WS_URL: harness.wsUrl,
    PLATFORM_BYPASS_KEY: harness.bypassKey,
  };
  const readyCheck = (name: string, url: string) => ({
    name: `platform ${name}`,
    command,
    url,
    env,
    reuseExistingServer: true,
    timeout: 20_000,
  });
  return [
    {
      name: 'platform',
      command,
      url: `${harness.authUrl}/health`,
      wait: { stdout: /^PLATFORM_READY /m },
      env,
      // Not reused: a platform already on these ports is somebody else's, with unknown settings.
      reuseExistingServer: false,
      timeout: 20_000,
      stdout: 'ignore',
      stderr: 'pipe',
      gracefulShutdown: { signal: 'SIGTERM', timeout: 2_000 },
    },
    // /ws/health, not /health: a backend whose /health fails must still start, so that the
    // preflight can name the failure instead of the web-server start timing out.
    readyCheck('backend', `${harness.apiUrl}/ws/health`),
    readyCheck('frontend', `${harness.frontendUrl}/health`),
  ];
}

export default defineConfig({
  testDir: './e2e',
  outputDir: path.join(out, 'test-results'),
  globalSetup: './global-setup.ts',
  fullyParallel: true,
  // Never retry: a flaky golden path is a finding, not noise to hide.
  retries: 0,
  workers: Math.min(2, config?.users.length ?? 1),
  // A committed `test.only` would quietly shrink the suite: refused everywhere, unless a person
  // focusing a test locally says so with E2E_ALLOW_ONLY=1, which CI never honours.
  forbidOnly: process.env.E2E_ALLOW_ONLY !== '1' || !!process.env.CI,
  timeout: (config?.eventTimeoutMs ?? 30_000) + (config?.handshakeTimeoutMs ?? 10_000) * 3 + 15_000,
  reporter: [
    // First: masks secrets in steps, errors and attachments before any other reporter sees them.
    ['./reporters/scrub-secrets.ts'],
    // Always on: diagnosis.json and the preflight evidence, which the sign-off decides from.
    ['./reporters/evidence-record.ts', { diagnosisFile: paths.diagnosis }],
    [process.env.CI ? 'dot' : 'list'],
    // E2E_REPORT=minimal: console and evidence only, for the self-tests' many child runs.
    ...(process.env.E2E_REPORT === 'minimal'
      ? []
      : ([
          ['html', { open: 'never', outputFolder: paths.htmlReport }],
          ['junit', { outputFile: paths.junit }],
          ['allure-playwright', { resultsDir: paths.allureResults, detail: true }],
          // After allure-playwright: environment block, categories by cause code, CI executor.
          ['./reporters/allure-extras.ts', { resultsDir: paths.allureResults }],
        ] as const)),
    // Sharded: a blob report too, which scripts/merge-shards.ts merges into one HTML report.
    ...(shard
      ? [
          [
            'blob',
            {
              outputDir: paths.blobReport,
              fileName: `report-${shard.current}-of-${shard.total}.zip`,
            },
          ] as const,
        ]
      : []),
    ['./reporters/run-summary.ts', { diagnosisFile: paths.diagnosis }],
  ],
  use: {
    baseURL: config?.frontendUrl,
    trace: traceSettings(config?.trace ?? 'retain-on-failure'),
    // Off: the journey fixtures photograph a failed test's pages themselves (fixtures/journey.ts).
    screenshot: 'off',
    // With E2E_CA_CERT, global setup has verified every service's certificate chain against that
    // CA before any browser starts (the preflight fails SERVICE_UNREACHABLE otherwise); only then
    // may the browser skip its own check, which cannot be taught a CA in a remote browser
    // (README, "TLS and proxies").
    ...(config?.network.ca ? { ignoreHTTPSErrors: true } : {}),
    ...(remote
      ? // A remote browser was launched by someone else: the proxy goes on each context.
        { connectOptions: { wsEndpoint: remote }, ...(proxy ? { proxy } : {}) }
      : {
          launchOptions: {
            ...(browser?.executablePath ? { executablePath: browser.executablePath } : {}),
            args: CHROMIUM_ARGS,
            ...(proxy ? { proxy } : {}),
          },
        }),
  },
  projects: [{ name: 'chromium', use: { browserName: 'chromium' } }],
  ...(config?.isLocal ? { webServer: referencePlatform(config) } : {}),
});
