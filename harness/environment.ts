/**
 * What a report says about where the run happened: env, service URLs and versions, browser,
 * commit, CI run. Never a secret: URLs lose any user info and query, and whoever writes the
 * block masks it with the run's secret registry.
 */
import { execFileSync } from 'node:child_process';
import type { PreflightResult } from './preflight.ts';
import { ROOT, type RunState } from './run-context.ts';

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

/** A URL fit for a report: no user name, password, query or fragment. */
export function publicUrl(raw: string): string {
  try {
    const url = new URL(raw);
    url.username = '';
    url.password = '';
    url.search = '';
    url.hash = '';
    return url.toString().replace(/\/$/, '');
  } catch {
    return '(not a URL)';
  }
}

/** The CI run this test run belongs to, if the environment says. */
export function ciRun(env: NodeJS.ProcessEnv = process.env): { url: string; name: string } | undefined {
  if (env.E2E_CI_RUN_URL) return { url: publicUrl(env.E2E_CI_RUN_URL), name: 'CI run' };
  const { GITHUB_SERVER_URL: server, GITHUB_REPOSITORY: repo, GITHUB_RUN_ID: id } = env;
  if (server && repo && id) {
    const attempt = env.GITHUB_RUN_ATTEMPT ? `/attempts/${env.GITHUB_RUN_ATTEMPT}` : '';
    return {
      url: publicUrl(`${server}/${repo}/actions/runs/${id}${attempt}`),
      name: `GitHub Actions run ${env.GITHUB_RUN_NUMBER ?? id}`,
    };
  }
  return undefined;
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

/** The value of one key of the block. */
export function blockValue(block: EnvironmentBlock, key: string): string | undefined {
  return block.find(([name]) => name === key)?.[1];
}

/** The env the block names (`local` when it names none). */
export function envOf(block: EnvironmentBlock): string {
  const env = blockValue(block, 'env');
  return env && env !== '(unknown)' ? env : 'local';
}

/** The block as `environment.properties`, the file Allure reads it from. */
export function toProperties(block: EnvironmentBlock): string {
  return `${block.map(([key, value]) => `${escapeKey(key)}=${escapeValue(value)}`).join('\n')}\n`;
}

/** `environment.properties` back into a block, in order; the inverse of `toProperties`. */
export function fromProperties(text: string): EnvironmentBlock {
  return text
    .split('\n')
    .map((line) => /^((?:\\.|[^=])*)=(.*)$/.exec(line))
    .filter((match): match is RegExpExecArray => match !== null)
    .map(([, key = '', value = '']): [string, string] => [
      key.replace(/\\(.)/g, '$1'),
      value.replace(/\\\\/g, '\\'),
    ]);
}

/** The commit under test: CI's, else git's, marked when the work tree has changes. */
export function gitCommit(cwd = ROOT, env = process.env): string | undefined {
  if (env.GITHUB_SHA) return env.GITHUB_SHA.slice(0, 12);
  try {
    const run = (args: string[]) =>
      execFileSync('git', args, {
        cwd,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
        timeout: 5_000,
      }).trim();
    const sha = run(['rev-parse', '--short=12', 'HEAD']);
    const dirty = run(['status', '--porcelain', '--untracked-files=no']) !== '';
    return dirty ? `${sha} (with uncommitted changes)` : sha;
  } catch {
    return undefined;
  }
}
