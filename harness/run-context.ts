/**
 * The run context: where a run's files are and how every entry point (the Playwright config,
 * global setup, fixtures, reporters, scripts, bench) reads and writes them. One place, so that
 * a folder or a file name is decided once.
 *
 *   <output>/                 E2E_OUTPUT_DIR (default `.`): reports, diagnosis.json, signoff/
 *   <output>/signoff/evidence/  this run's preflight and token record, beside its reports
 *   <state>/                  E2E_STATE_DIR (default `.golden-path`): preflight.json, run.json,
 *                             the token cache and the secret files; never shared between machines
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type HarnessConfig, loadConfig, resolveEnvironment } from './config.ts';
import type { PreflightResult } from './preflight.ts';
import { builtInProfile, type ResolvedProfile, resolveProfile } from './profile.ts';
import { SecretRegistry } from './secret-registry.ts';
import { type KeySet, remoteKeySet, TokenCache, tokenCacheDir } from './tokens.ts';

/** The project's checkout: the commit that ran is this code's, wherever the run started. */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Playwright's CLI, run with this Node rather than through npx, so no shell and no lookup. */
export const PLAYWRIGHT_CLI = path.join(ROOT, 'node_modules', '@playwright', 'test', 'cli.js');

/** The run's output folder (E2E_OUTPUT_DIR, else the working directory). */
export const outputDir = (env: NodeJS.ProcessEnv = process.env): string =>
  path.resolve(env.E2E_OUTPUT_DIR ?? '.');

/** The run's state folder, also when the configuration is invalid (it is read for secrets). */
export function stateDirOf(config: HarnessConfig | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return config?.stateDir ?? path.resolve(env.E2E_STATE_DIR ?? '.golden-path');
}

/** The folders under an output folder, by what they hold. */
export function outputPaths(out: string) {
  return {
    diagnosis: path.join(out, 'diagnosis.json'),
    allureResults: path.join(out, 'allure-results'),
    allureReport: path.join(out, 'allure-report'),
    htmlReport: path.join(out, 'playwright-report'),
    junit: path.join(out, 'junit', 'results.xml'),
    blobReport: path.join(out, 'blob-report'),
    signoff: path.join(out, 'signoff'),
    evidence: path.join(out, 'signoff', 'evidence'),
    shards: path.join(out, 'shards'),
  };
}

/** The files global setup leaves in the state folder, copied beside the reports as evidence. */
export const EVIDENCE_FILES = ['run.json', 'preflight.json'] as const;
export type EvidenceFile = (typeof EVIDENCE_FILES)[number];

/**
 * The configuration, or undefined when it is invalid. For the places that must not report it:
 * global setup does, as `[CONFIG_INVALID]` through the reporters, before any browser starts.
 */
export function tryLoadConfig(): HarnessConfig | undefined {
  try {
    return loadConfig();
  } catch {
    return undefined;
  }
}

/** What a process of the run needs to sign users in: config, its secrets, the JWKS, the cache. */
export interface Harness {
  config: HarnessConfig;
  secrets: SecretRegistry;
  keys: KeySet;
  cache: TokenCache;
  /** The dialect the deployment speaks: its frames, tokens and UI (E2E_PROFILE, resolved). */
  profile: ResolvedProfile;
}

/** The harness objects for `config`; its secrets are registered (and written for the reporters). */
export function createHarness(
  config: HarnessConfig = loadConfig(),
  profile: ResolvedProfile = builtInProfile('contract'),
): Harness {
  const secrets = new SecretRegistry(config.stateDir);
  secrets.add('bypass-key', config.bypassKey);
  secrets.add('password', config.password);
  secrets.add('notify-webhook', config.notifyWebhook);
  secrets.add('jwt-secret', config.jwtSecret);
  return {
    config,
    secrets,
    keys: remoteKeySet(config, profile.tokens),
    cache: new TokenCache(tokenCacheDir(config)),
    profile,
  };
}

/** `createHarness` with the profile E2E_PROFILE names (a module profile loads asynchronously). */
export async function createProfiledHarness(config: HarnessConfig = loadConfig()): Promise<Harness> {
  return createHarness(config, await resolveProfile(config.profile));
}

/** Every secret this machine knows of: the configured ones and those the run's processes recorded. */
export function knownSecrets(config: HarnessConfig | undefined = tryLoadConfig()): SecretRegistry {
  const registry = SecretRegistry.readAll(stateDirOf(config));
  registry.add('bypass-key', config?.bypassKey);
  registry.add('password', config?.password);
  registry.add('jwt-secret', config?.jwtSecret);
  // Also when the configuration is invalid: the sign-off that posts to it may still run (--from).
  registry.add('notify-webhook', config?.notifyWebhook ?? resolveEnvironment().E2E_NOTIFY_WEBHOOK);
  return registry;
}

/** The run state global setup records for reports and the sign-off. Holds no secret. */
export interface RunState {
  env: string;
  urls: { frontend: string; api: string; auth: string; ws: string };
  preflight: PreflightResult;
  users: { email: string; userId: string; tokenSource: string; validForS: number }[];
  /** The platform profile the run spoke (E2E_PROFILE) and its wire dialect. */
  profile?: { name: string; dialect: string; tokenVerification: string };
}

/** A JSON file, or undefined when it is missing, unreadable or older than `since` (ms). */
export function readJson<T>(file: string, since = 0): T | undefined {
  try {
    if (since > 0 && statSync(file).mtimeMs < since) return undefined;
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

export function writeJson(file: string, value: unknown): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(value, null, 2));
}

/** One of the run's state files (preflight.json, run.json), for reports and the sign-off. */
export function writeStateFile(
  stateDir: string,
  name: EvidenceFile,
  value: PreflightResult | RunState,
): void {
  writeJson(path.join(stateDir, name), value);
}

export function readRunState(stateDir: string, since = 0): RunState | undefined {
  return readJson<RunState>(path.join(stateDir, 'run.json'), since);
}

/** `name` in `dir` and in its subfolders (each shard's evidence sits one level down). */
export function findAll(dir: string, name: string): string[] {
  if (!existsSync(dir)) return [];
  const nested = readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => path.join(dir, entry.name, name));
  return [path.join(dir, name), ...nested].filter((file) => existsSync(file));
}
