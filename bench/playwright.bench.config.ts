/**
 * The project's own Playwright configuration, unchanged in behaviour, plus the bench's timing
 * reporter (last, so it sees what the scrubbing reporter left). Paths the original gives
 * relative to the project root are made absolute, since this file lives in bench/.
 *
 * The chromium project runs only the golden-path spec; with BENCH_SPECS=all, every spec the
 * project has (as `npm run golden-path` does); with BENCH_SPEC_FILE, the spec file the bench
 * generated (bench/warm-spec.ts), whose copies of the golden path run in one warm worker.
 *
 * BENCH_VARIANT (joined with + or ,) times a configuration other than the project's, to
 * measure a change before making it, or the way things were before one (BENCHMARKS.md):
 *   poll-url               the platform is ready at Playwright's next poll of its URL (100/250/
 *                          500 ms, then 1 s), not when it prints PLATFORM_READY
 *   platform-per-service   one platform process per service, started one after another
 *   preflight-project      the preflight report test in a project of its own that the journeys
 *                          depend on, so its worker starts (and is waited for) first
 *   full-chromium          Debian's full /usr/bin/chromium in headless mode, not the headless shell
 *   trace-screencast       failure traces with the screencast, as Playwright's plain
 *                          `retain-on-failure` records them
 * `before` stands for all four of the last ones together: the project as it was before.
 */
import path from 'node:path';
import { defineConfig, type PlaywrightTestConfig } from '@playwright/test';
import { rootedGlobalSetup, rootedReporters } from '../harness/relocated-config.ts';
import { ROOT } from '../harness/run-context.ts';
import base from '../playwright.config.ts';

const reporters = rootedReporters(base);

const BEFORE = ['platform-per-service', 'preflight-project', 'full-chromium', 'trace-screencast'];
const variants = new Set(
  (process.env.BENCH_VARIANT ?? '')
    .split(/[+,]/)
    .filter(Boolean)
    .flatMap((name) => (name === 'before' ? BEFORE : [name])),
);

const baseUse = base.use ?? {};
const use: PlaywrightTestConfig['use'] = {
  ...baseUse,
  ...(variants.has('full-chromium')
    ? { launchOptions: { ...baseUse.launchOptions, executablePath: '/usr/bin/chromium' } }
    : {}),
  ...(variants.has('trace-screencast') && baseUse.trace !== 'off' ? { trace: 'retain-on-failure' } : {}),
};

type WebServer = Exclude<NonNullable<PlaywrightTestConfig['webServer']>, unknown[]>;

/** The project's platform entry, started once per service as it used to be. */
function perService(servers: WebServer[]): WebServer[] {
  const [platform, ...checks] = servers;
  if (!platform) return servers;
  return [
    { ...platform, name: 'platform auth', env: { ...platform.env, PLATFORM_SERVICES: 'auth' } },
    ...checks.map((check) => ({
      ...platform,
      name: check.name,
      url: check.url,
      env: { ...platform.env, PLATFORM_SERVICES: (check.name ?? '').replace(/^platform /, '') },
    })),
  ];
}

const baseServers = base.webServer ? (Array.isArray(base.webServer) ? base.webServer : [base.webServer]) : [];
const servers = (variants.has('platform-per-service') ? perService(baseServers) : baseServers)
  .map((server) => ({ ...server, cwd: ROOT }))
  .map(({ wait, ...server }) => (variants.has('poll-url') || !wait ? server : { ...server, wait }));

const generated = process.env.BENCH_SPEC_FILE;
const specMatch = process.env.BENCH_SPECS === 'all' ? /\.spec\.ts$/ : /golden-path\.spec\.ts$/;
const preflightProject = variants.has('preflight-project');

const chromium = (base.projects ?? []).find((project) => project.name === 'chromium') ?? {};
const projects: PlaywrightTestConfig['projects'] = [
  ...(preflightProject && !generated
    ? [{ name: 'preflight', testDir: path.join(ROOT, 'e2e'), testMatch: /preflight\.spec\.ts$/ }]
    : []),
  {
    ...chromium,
    testDir: generated ? path.dirname(generated) : path.join(ROOT, 'e2e'),
    ...(preflightProject && !generated ? { dependencies: ['preflight'] } : {}),
    ...(generated
      ? { testMatch: path.basename(generated) }
      : process.env.BENCH_SPECS === 'all'
        ? preflightProject
          ? { testIgnore: /preflight\.spec\.ts$/ }
          : {}
        : { testMatch: specMatch }),
  },
];

export default defineConfig({
  ...base,
  testDir: path.join(ROOT, 'e2e'),
  ...rootedGlobalSetup(base),
  reporter: [
    [path.join(ROOT, 'bench', 'timing-reporter.ts'), { role: 'first' }],
    ...reporters,
    [path.join(ROOT, 'bench', 'timing-reporter.ts'), { role: 'last' }],
  ],
  use,
  projects,
  ...(servers.length > 0 ? { webServer: servers } : {}),
});
