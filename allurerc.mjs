/**
 * Allure Report 3 configuration, for `npm run report` (scripts/report.ts) and for a plain
 * `npx allure generate`. Everything it needs comes from the results folder itself, so the
 * report describes the run that produced the results, not the shell that builds the report:
 *  - the title names the env and the date, read from the environment block
 *    (`environment.properties`, written by reporters/allure-extras.ts);
 *  - the categories are the cause codes, read from `categories.json` (same reporter, built from
 *    harness/causes.ts), so failures group by cause;
 *  - history is on (`historyPath`; off by default in Allure 3), so trends and flaky tests show
 *    across runs. The file is kept in the state folder, which CI caches between runs;
 *  - two reports from one generate: `awesome/` (a folder, served by `allure open`) and
 *    `single-file/index.html` (one file that opens from disk, for mail or chat).
 *
 * Folders, all optional: E2E_OUTPUT_DIR (default `.`) holds `allure-results` and
 * `allure-report`; E2E_ALLURE_RESULTS, E2E_ALLURE_REPORT and E2E_ALLURE_HISTORY override each.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { defineConfig } from 'allure';

const out = path.resolve(process.env.E2E_OUTPUT_DIR ?? '.');
const resultsDir = path.resolve(process.env.E2E_ALLURE_RESULTS ?? path.join(out, 'allure-results'));
const reportDir = path.resolve(process.env.E2E_ALLURE_REPORT ?? path.join(out, 'allure-report'));
const historyPath = path.resolve(
  process.env.E2E_ALLURE_HISTORY ??
    path.join(process.env.E2E_STATE_DIR ?? '.golden-path', 'allure-history.jsonl'),
);

/** A `.properties` file as an object (only what allure-extras writes: one `key=value` a line). */
function readProperties(file) {
  if (!existsSync(file)) return {};
  const entries = readFileSync(file, 'utf8')
    .split('\n')
    .map((line) => /^((?:\\.|[^=])*)=(.*)$/.exec(line))
    .filter(Boolean)
    .map(([, key, value]) => [key.replace(/\\(.)/g, '$1'), value.replace(/\\\\/g, '\\')]);
  return Object.fromEntries(entries);
}

/** Allure 2 categories (categories.json) as Allure 3 category rules. */
function causeCategories() {
  const file = path.join(resultsDir, 'categories.json');
  if (!existsSync(file)) return undefined;
  const categories = JSON.parse(readFileSync(file, 'utf8'));
  return categories.map((category) => ({
    name: category.name,
    matchers: {
      statuses: category.matchedStatuses ?? ['failed', 'broken'],
      ...(category.messageRegex ? { message: new RegExp(category.messageRegex) } : {}),
    },
    groupBy: ['severity'],
    groupByMessage: true,
    expand: true,
  }));
}

const environment = readProperties(path.join(resultsDir, 'environment.properties'));
const envName = environment.env ?? process.env.E2E_ENV ?? 'local';
const date = (environment.started ?? new Date().toISOString()).slice(0, 10);
const name = `Golden path: ${envName}, ${date}`;
const categories = causeCategories();

const awesome = {
  reportName: name,
  reportLanguage: 'en',
  groupBy: ['epic', 'feature', 'story'],
};

export default defineConfig({
  name,
  output: reportDir,
  historyPath,
  historyLimit: 60,
  ...(categories ? { categories } : {}),
  plugins: {
    awesome: { options: { ...awesome, singleFile: false } },
    'single-file': { import: '@allurereport/plugin-awesome', options: { ...awesome, singleFile: true } },
    // The agent plugin (on unless configured) writes an extra tree for coding agents: not wanted here.
    agent: { enabled: false },
  },
});
