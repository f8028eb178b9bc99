/**
 * Listed after allure-playwright. Adds to the Allure results what no single test knows:
 *  - `environment.properties`: env name, service URLs, the service versions the health answers
 *    gave, the browser and its version, the git commit. Never a secret: URLs lose any user info
 *    and query, and everything is masked with the run's secret registry before it is written;
 *  - `categories.json`: one category per cause code (harness/causes.ts), so Allure groups
 *    failures by cause (allurerc.mjs turns the same file into Allure 3 categories);
 *  - `executor.json`: the CI run, when known.
 * It starts each run with an empty results folder (allure-playwright never clears it, so old
 * runs would show up as retries).
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { FullConfig, Reporter } from '@playwright/test/reporter';
import { browserVersion } from '../harness/browser.ts';
import { CAUSES, type CauseCode } from '../harness/causes.ts';
import type { HarnessConfig } from '../harness/config.ts';
import { ciRun, environmentBlock, gitCommit, toProperties } from '../harness/environment.ts';
import type { PreflightResult } from '../harness/preflight.ts';
import {
  knownSecrets,
  outputDir,
  outputPaths,
  readJson,
  readRunState,
  tryLoadConfig,
} from '../harness/run-context.ts';
import { reportLabels } from '../harness/spec-tags.ts';

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

export default class AllureExtras implements Reporter {
  private readonly resultsDir: string;
  /** Before global setup: files of this run are newer. A second of slack for coarse clocks. */
  private readonly since = Date.now() - 1_000;
  private config: HarnessConfig | undefined;

  constructor(options: { resultsDir?: string } = {}) {
    this.resultsDir = path.resolve(options.resultsDir ?? outputPaths(outputDir()).allureResults);
  }

  onBegin(_config: FullConfig): void {
    this.config = tryLoadConfig();
    // No test has ended yet, so nothing of this run is in the folder: what is there is old.
    rmSync(this.resultsDir, { recursive: true, force: true });
    mkdirSync(this.resultsDir, { recursive: true });
    writeFileSync(path.join(this.resultsDir, 'categories.json'), JSON.stringify(causeCategories(), null, 2));
  }

  async onEnd(): Promise<void> {
    const config = this.config;
    const stateDir = config?.stateDir;
    const state = stateDir ? readRunState(stateDir, this.since) : undefined;
    const preflight = stateDir
      ? readJson<PreflightResult>(path.join(stateDir, 'preflight.json'), this.since)
      : undefined;
    const secrets = knownSecrets(config);
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
  }

  printsToStdio(): boolean {
    return false;
  }
}
