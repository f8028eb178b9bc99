/**
 * Listed after allure-playwright. Adds to the Allure results what no single test knows:
 *  - `environment.properties`: env name, service URLs, the service versions the health answers
 *    gave, the browser and its version, the git commit. Never a secret: URLs lose any user info
 *    and query, and everything is masked with the run's secret registry before it is written;
 *  - `categories.json`: one category per cause code (harness/causes.ts), so Allure groups
 *    failures by cause (allurerc.mjs turns the same file into Allure 3 categories);
 *  - `executor.json`: the CI run, when known.
 * It starts each run with an empty results folder (allure-playwright never clears it, so old
 * runs would show up as retries), and keeps a copy of the run's preflight evidence
 * (`run.json`, `preflight.json`: no secrets in them) in `<output>/signoff/evidence/` for the sign-off
 * and for shard merges, where the state folder is not shared.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { chromium } from '@playwright/test';
import type { FullConfig, Reporter } from '@playwright/test/reporter';
import { ciRun, publicUrl, reportLabels } from '../fixtures/reporting.ts';
import type { RunState } from '../global-setup.ts';
import { chooseBrowser } from '../harness/browser.ts';
import { CAUSES, type CauseCode } from '../harness/causes.ts';
import { type HarnessConfig, loadConfig } from '../harness/config.ts';
import { gitCommit } from '../harness/git-commit.ts';
import type { PreflightResult } from '../harness/preflight.ts';
import { SecretRegistry } from '../harness/secrets.ts';

/** Kept here too: the sign-off reads the commit from this module. */
export { gitCommit };

export interface Allure2Category {
  name: string;
  description?: string;
  messageRegex?: string;
  matchedStatuses?: string[];
}

/** The name a cause's Allure category carries. */
export const categoryName = (code: CauseCode) => `${code}: ${CAUSES[code]}`;

/**
 * One category per cause code, matching a failure whose message holds `[CODE]`; then one for
 * failures without a code, which is itself a finding (every failure should name its cause).
 * The regexes match a whole message (Allure 2 full-matches) and any part of one (Allure 3).
 */
export function causeCategories(): Allure2Category[] {
  const codes = Object.keys(CAUSES) as CauseCode[];
  return [
    ...codes.map((code) => ({
      name: categoryName(code),
      description: CAUSES[code],
      messageRegex: `[\\s\\S]*\\[${code}\\][\\s\\S]*`,
      matchedStatuses: ['failed', 'broken'],
    })),
    {
      name: 'No cause code',
      description: 'a failure whose message names no cause code: a gap in the harness to fix',
      matchedStatuses: ['failed', 'broken'],
    },
  ];
}

/** The environment block, in the order a reader wants it. Values are plain, single-line text. */
export type EnvironmentBlock = [key: string, value: string][];

export interface EnvironmentFacts {
  env?: string;
  urls?: Partial<RunState['urls']>;
  services?: PreflightResult['services'];
  browser?: string;
  commit?: string;
  ci?: string;
  startedAt?: string;
}

export function environmentBlock(facts: EnvironmentFacts): EnvironmentBlock {
  const block: EnvironmentBlock = [['env', facts.env ?? '(unknown)']];
  const urls = facts.urls ?? {};
  for (const key of ['frontend', 'api', 'auth', 'ws'] as const) {
    const url = urls[key];
    if (url) block.push([`${key} url`, publicUrl(url)]);
  }
  for (const [service, said] of Object.entries(facts.services ?? {})) {
    const parts = [said.service, said.version ? `v${said.version.replace(/^v/, '')}` : undefined].filter(
      Boolean,
    );
    if (said.environment) parts.push(`(environment ${said.environment})`);
    block.push([`${service} service`, parts.join(' ') || '(did not say)']);
  }
  if (facts.browser) block.push(['browser', facts.browser]);
  if (facts.commit) block.push(['commit', facts.commit]);
  if (facts.ci) block.push(['ci run', facts.ci]);
  if (facts.startedAt) block.push(['started', facts.startedAt]);
  return block;
}

/** Java-properties escaping, enough for one-line values and keys with spaces. */
const escapeKey = (key: string) => key.replace(/[\\:= ]/g, (char) => `\\${char}`);
const escapeValue = (value: string) =>
  value.replace(/\\/g, '\\\\').replace(/\r?\n/g, ' ').replace(/^\s+/, '');

export function toProperties(block: EnvironmentBlock): string {
  return `${block.map(([key, value]) => `${escapeKey(key)}=${escapeValue(value)}`).join('\n')}\n`;
}

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

interface AllureResultFile {
  name?: string;
  labels?: { name: string; value: string }[];
}

/**
 * Tests that do not use the harness's `test` (the preflight) get no labels from its fixture:
 * give every result without an epic the labels its spec file and tags imply.
 */
export function labelUnlabelled(resultsDir: string): number {
  let changed = 0;
  let names: string[];
  try {
    names = readdirSync(resultsDir).filter((name) => name.endsWith('-result.json'));
  } catch {
    return 0;
  }
  for (const name of names) {
    const file = path.join(resultsDir, name);
    try {
      const result = JSON.parse(readFileSync(file, 'utf8')) as AllureResultFile;
      const labels = result.labels ?? [];
      if (labels.some((label) => label.name === 'epic')) continue;
      const value = (key: string) => labels.find((label) => label.name === key)?.value;
      const derived = reportLabels({
        file: value('suite') ?? '',
        tags: labels.filter((label) => label.name === 'tag').map((label) => `@${label.value}`),
        titlePath: [result.name ?? ''],
        project: value('parentSuite'),
      });
      result.labels = [
        ...labels,
        { name: 'epic', value: derived.epic },
        { name: 'feature', value: derived.feature },
        { name: 'story', value: derived.story },
        { name: 'severity', value: derived.severity },
      ];
      writeFileSync(file, JSON.stringify(result));
      changed += 1;
    } catch {
      // A result that is not JSON is allure-playwright's to explain, not ours to label.
    }
  }
  return changed;
}

/** A JSON file written since `since` (ms), or undefined: a stale one belongs to another run. */
export function freshJson<T>(file: string, since: number): T | undefined {
  try {
    if (statSync(file).mtimeMs < since) return undefined;
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

export const EVIDENCE_FILES = ['run.json', 'preflight.json'] as const;

export default class AllureExtras implements Reporter {
  private readonly resultsDir: string;
  private readonly evidenceDir: string;
  /** Before global setup: files of this run are newer. A second of slack for coarse clocks. */
  private readonly since = Date.now() - 1_000;
  private config: HarnessConfig | undefined;

  constructor(options: { resultsDir?: string; evidenceDir?: string } = {}) {
    const out = path.resolve(process.env.E2E_OUTPUT_DIR ?? '.');
    this.resultsDir = path.resolve(options.resultsDir ?? path.join(out, 'allure-results'));
    this.evidenceDir = path.resolve(options.evidenceDir ?? path.join(out, 'signoff', 'evidence'));
  }

  onBegin(_config: FullConfig): void {
    try {
      this.config = loadConfig();
    } catch {
      this.config = undefined;
    }
    // No test has ended yet, so nothing of this run is in the folder: what is there is old.
    rmSync(this.resultsDir, { recursive: true, force: true });
    rmSync(this.evidenceDir, { recursive: true, force: true });
    mkdirSync(this.resultsDir, { recursive: true });
    writeFileSync(path.join(this.resultsDir, 'categories.json'), JSON.stringify(causeCategories(), null, 2));
  }

  async onEnd(): Promise<void> {
    const config = this.config;
    const stateDir = config?.stateDir;
    const state = stateDir ? freshJson<RunState>(path.join(stateDir, 'run.json'), this.since) : undefined;
    const preflight = stateDir
      ? freshJson<PreflightResult>(path.join(stateDir, 'preflight.json'), this.since)
      : undefined;
    const secrets = stateDir ? SecretRegistry.readAll(stateDir) : new SecretRegistry();
    const mask = (text: string) => secrets.mask(text);

    const ci = ciRun();
    const block = environmentBlock({
      env: state?.env ?? config?.env,
      urls:
        state?.urls ??
        (config
          ? { frontend: config.frontendUrl, api: config.apiUrl, auth: config.authUrl, ws: config.wsUrl }
          : {}),
      services: (state?.preflight ?? preflight)?.services,
      browser: await browserVersion(config),
      commit: gitCommit(),
      ...(ci ? { ci: ci.url } : {}),
      startedAt: new Date(this.since + 1_000).toISOString(),
    });
    mkdirSync(this.resultsDir, { recursive: true });
    labelUnlabelled(this.resultsDir);
    writeFileSync(path.join(this.resultsDir, 'environment.properties'), mask(toProperties(block)));
    if (ci) {
      const executor = {
        name: process.env.GITHUB_ACTIONS ? 'GitHub Actions' : 'CI',
        type: process.env.GITHUB_ACTIONS ? 'github' : 'ci',
        buildName: ci.name,
        buildUrl: ci.url,
        ...(process.env.GITHUB_RUN_NUMBER ? { buildOrder: Number(process.env.GITHUB_RUN_NUMBER) } : {}),
      };
      writeFileSync(path.join(this.resultsDir, 'executor.json'), mask(JSON.stringify(executor, null, 2)));
    }

    // The preflight evidence of this run, beside its other output.
    if (stateDir) {
      for (const name of EVIDENCE_FILES) {
        const source = path.join(stateDir, name);
        if (!freshJson(source, this.since)) continue;
        mkdirSync(this.evidenceDir, { recursive: true });
        writeFileSync(path.join(this.evidenceDir, name), mask(readFileSync(source, 'utf8')));
      }
    }
  }

  printsToStdio(): boolean {
    return false;
  }
}
