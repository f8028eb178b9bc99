/**
 * The secret scan of one child run, for self-tests beside the nightly's own scan: every secret
 * the run could have leaked (the platform's defaults, every token the platform issued, whatever
 * the run registered) searched for in every file it wrote (but its private token cache and
 * secret registry) and everything it printed. Independent of the scrubber, like the search.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { request } from 'undici';
import { type ChildRun, PLATFORM_DEFAULTS, type PlatformUrls } from './platform.ts';
import { needlesFor, SecretSearch } from './secret-search.ts';

export interface RunScan {
  /** `label (form) in where`, one per hit. */
  findings: string[];
  problems: string[];
  opened: string[];
  /** How many distinct secrets were searched for. */
  secrets: number;
}

const MIN_SECRET_LENGTH = 8;

/** The secrets: defaults, what the platform issued, what the run registered. */
async function secretsOf(run: ChildRun, urls: Pick<PlatformUrls, 'auth'>): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  const add = (label: string, value: unknown) => {
    if (typeof value === 'string' && value.length >= MIN_SECRET_LENGTH && !found.has(value))
      found.set(value, label);
  };
  add('bypass-key', PLATFORM_DEFAULTS.bypassKey);
  add('password', PLATFORM_DEFAULTS.password);
  const issued = (await (await request(`${urls.auth}/__platform/issued-tokens`)).body.json()) as {
    access_tokens: string[];
    refresh_tokens: string[];
  };
  for (const token of issued.access_tokens) add('access-token', token);
  for (const token of issued.refresh_tokens) add('refresh-token', token);
  const registry = path.join(run.outputDir, 'state', 'secrets');
  if (existsSync(registry)) {
    for (const name of readdirSync(registry)) {
      for (const line of readFileSync(path.join(registry, name), 'utf8').split('\n').filter(Boolean)) {
        const entry = JSON.parse(line) as { label?: string; value?: string };
        add(entry.label ?? 'secret', entry.value);
      }
    }
  }
  return found;
}

export async function scanRun(
  run: ChildRun,
  platform: { urls: Pick<PlatformUrls, 'auth'> },
): Promise<RunScan> {
  const values = await secretsOf(run, platform.urls);
  const search = new SecretSearch([...values].flatMap(([value, label]) => needlesFor(label, value)));
  const state = path.join(run.outputDir, 'state');
  const reports = [
    search.tree(run.outputDir, [path.join(state, 'tokens'), path.join(state, 'secrets')]),
    search.bytes(Buffer.from(run.stdout), 'stdout'),
    search.bytes(Buffer.from(run.stderr), 'stderr'),
  ];
  return {
    findings: reports.flatMap((report) =>
      report.findings.map((hit) => `${hit.label} (${hit.form}) in ${hit.where}`),
    ),
    problems: reports.flatMap((report) => report.problems),
    opened: reports.flatMap((report) => report.opened),
    secrets: values.size,
  };
}
