/** `npm run signoff` (less the install step) as a child, configured only by E2E_* variables. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { runNode } from './platform.ts';

export interface SignoffRun<V> {
  exitCode: number;
  stdout: string;
  out: string;
  verdict: V | undefined;
  markdown: string;
}

export async function runSignoff<V = Record<string, unknown>>(
  env: Record<string, string>,
  out: string,
  args: string[] = [],
): Promise<SignoffRun<V>> {
  const run = await runNode(['--import', 'tsx', 'scripts/signoff.ts', ...args], {
    ...env,
    E2E_OUTPUT_DIR: out,
    E2E_STATE_DIR: path.join(out, 'state'),
    FORCE_COLOR: '0',
  });
  const read = (name: string) => {
    try {
      return readFileSync(path.join(out, 'signoff', name), 'utf8');
    } catch {
      return '';
    }
  };
  const json = read('verdict.json');
  return {
    exitCode: run.exitCode,
    stdout: `${run.stdout}${run.stderr}`,
    out,
    verdict: json ? (JSON.parse(json) as V) : undefined,
    markdown: read('verdict.md'),
  };
}
