/**
 * The project's own Playwright configuration, unchanged in behaviour, plus the bench's timing
 * reporter (last, so it sees what the scrubbing reporter left). Paths the original gives
 * relative to the project root are made absolute, since this file lives in bench/.
 *
 * The chromium project runs only the golden-path spec; with BENCH_SPECS=all, every spec the
 * project has (as `npm run golden-path` does); with BENCH_SPEC_FILE, the spec file the bench
 * generated (bench/warm-spec.ts), whose copies of the golden path run in one warm worker.
 *
 * BENCH_VARIANT (joined with + or ,) measures a candidate change before anyone makes it:
 *   ready-on-stdout        webServer entries are ready when the platform prints PLATFORM_READY,
 *                          not at Playwright's next poll of their URL (100/250/500 ms, then 1 s)
 *   poll-url               the opposite, to time the old way: no `wait`, ready on the URL poll
 *   one-platform-process   the three services in one platform process (one Node/tsx start-up)
 *   preflight-in-chromium  the preflight report test runs in the chromium project, so no worker
 *                          of its own starts (and is waited for) before the journeys
 *   preflight-parallel     the chromium project no longer depends on the preflight project, so
 *                          their workers start together
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type PlaywrightTestConfig, type ReporterDescription } from '@playwright/test';
import base from '../playwright.config.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const local = (name: string) => (name.startsWith('.') ? path.join(ROOT, name) : name);

const reporters: ReporterDescription[] = (Array.isArray(base.reporter) ? base.reporter : []).map(
  ([name, options]) => (options === undefined ? [local(name)] : [local(name), options]),
);

const variants = new Set((process.env.BENCH_VARIANT ?? '').split(/[+,]/).filter(Boolean));

const webServer = base.webServer
  ? (Array.isArray(base.webServer) ? base.webServer : [base.webServer])
      .map((server) => ({
        ...server,
        cwd: ROOT,
        ...(variants.has('ready-on-stdout') ? { wait: { stdout: /^PLATFORM_READY /m } } : {}),
      }))
      .map(({ wait, ...server }) =>
        variants.has('poll-url') ? server : { ...server, ...(wait ? { wait } : {}) },
      )
  : undefined;

/** All three services in the last entry's process: its env names every service's port and URL. */
function onePlatformProcess(servers: NonNullable<typeof webServer>): NonNullable<typeof webServer> {
  const last = servers.at(-1);
  if (!last) return servers;
  const env = Object.assign({}, ...servers.map((server) => server.env ?? {}));
  return [{ ...last, name: 'platform', env: { ...env, PLATFORM_SERVICES: 'auth,backend,frontend' } }];
}
const servers = webServer && variants.has('one-platform-process') ? onePlatformProcess(webServer) : webServer;

const generated = process.env.BENCH_SPEC_FILE;
const preflightInChromium = variants.has('preflight-in-chromium') && !generated;
const specMatch = process.env.BENCH_SPECS === 'all' ? /\.spec\.ts$/ : /golden-path\.spec\.ts$/;

const projects: PlaywrightTestConfig['projects'] = (base.projects ?? [])
  .filter((project) => !(preflightInChromium && project.name === 'preflight'))
  .map((project) => (variants.has('preflight-parallel') ? { ...project, dependencies: [] } : project))
  .map((project) =>
    project.name === 'chromium'
      ? {
          ...project,
          testDir: generated ? path.dirname(generated) : path.join(ROOT, 'e2e'),
          ...(generated
            ? { testMatch: path.basename(generated) }
            : preflightInChromium
              ? { testMatch: [specMatch, /preflight\.setup\.ts$/], dependencies: [] }
              : process.env.BENCH_SPECS === 'all'
                ? {}
                : { testMatch: specMatch }),
        }
      : { ...project, testDir: path.join(ROOT, 'e2e') },
  );

export default defineConfig({
  ...base,
  testDir: path.join(ROOT, 'e2e'),
  ...(typeof base.globalSetup === 'string' ? { globalSetup: local(base.globalSetup) } : {}),
  reporter: [
    [path.join(ROOT, 'bench', 'timing-reporter.ts'), { role: 'first' }],
    ...reporters,
    [path.join(ROOT, 'bench', 'timing-reporter.ts'), { role: 'last' }],
  ],
  projects,
  ...(servers ? { webServer: servers } : {}),
});
