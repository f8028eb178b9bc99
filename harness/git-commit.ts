/** Which commit ran: CI's, else git's, for the reports, the latency history and the sign-off. */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The harness's own checkout: the commit that ran is this code's, wherever the run started. */
const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The commit under test: CI's, else git's, marked when the work tree has changes. */
export function gitCommit(cwd = PROJECT_ROOT, env = process.env): string | undefined {
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
