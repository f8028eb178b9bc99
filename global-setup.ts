/**
 * Before any browser starts: valid configuration, healthy services, and a real, verified token
 * for every configured user. Each failure stops the run with its cause code and evidence.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { FullConfig } from '@playwright/test';
import { CausedError } from './harness/causes.ts';
import { describeConfig, type HarnessConfig, loadConfig } from './harness/config.ts';
import {
  assertPreflight,
  formatPreflightTable,
  type PreflightResult,
  runPreflight,
} from './harness/preflight.ts';
import { SecretRegistry } from './harness/secrets.ts';
import { obtainToken, remoteKeySet, TokenCache, tokenCacheDir } from './harness/tokens.ts';

/** The run state other parts of the harness read (reports, sign-off). Holds no secret. */
export interface RunState {
  env: string;
  urls: { frontend: string; api: string; auth: string; ws: string };
  preflight: PreflightResult;
  users: { email: string; userId: string; tokenSource: string; validForS: number }[];
}

function guardProduction(config: HarnessConfig, preflight: PreflightResult): void {
  const reported = preflight.services.auth?.environment;
  const production = config.env === 'production' || reported === 'production';
  if (!production || config.allowProductionBypass) return;
  throw new CausedError(
    'CONFIG_INVALID',
    `refusing to use the bypass key: ${config.env === 'production' ? 'E2E_ENV is production' : `the auth service reports environment "${reported}"`}. ` +
      'The test-auth bypass mints tokens without a password; against production that is a way in for anyone holding the key. ' +
      'If this really is intended, set E2E_ALLOW_PRODUCTION_BYPASS=yes-i-know.',
  );
}

function log(line: string): void {
  process.stdout.write(`[golden-path] ${line}\n`);
}

async function setUp(fullConfig: FullConfig): Promise<void> {
  const config = loadConfig();
  // Secrets of earlier runs are not this run's business: start the registry afresh.
  rmSync(path.join(config.stateDir, 'secrets'), { recursive: true, force: true });
  mkdirSync(config.stateDir, { recursive: true, mode: 0o700 });
  const secrets = new SecretRegistry(config.stateDir);
  secrets.add('bypass-key', config.bypassKey);
  secrets.add('password', config.password);
  secrets.add('notify-webhook', config.notifyWebhook);
  const settings = describeConfig(config);
  log(
    `E2E_ENV=${config.env}: ${Object.entries(settings)
      .slice(1)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ')}`,
  );

  if (fullConfig.workers > config.users.length) {
    throw new CausedError(
      'CONFIG_INVALID',
      `${fullConfig.workers} workers but E2E_USERS lists ${config.users.length} user(s): each worker needs its own user so parallel chats never mix. Add users or run with --workers=${config.users.length}`,
    );
  }

  const preflight = await runPreflight(config);
  writeFileSync(path.join(config.stateDir, 'preflight.json'), JSON.stringify(preflight, null, 2));
  log(`preflight:\n${formatPreflightTable(preflight)}`);
  assertPreflight(preflight);
  guardProduction(config, preflight);

  const keys = remoteKeySet(config);
  const cache = new TokenCache(tokenCacheDir(config));
  const started = Date.now();
  // Concurrently: one token per user, reused from the cache while it stays valid.
  const tokens = await Promise.all(
    config.users.map((email) => obtainToken(config, keys, cache, secrets, email)),
  );
  for (const token of tokens) {
    log(
      `token for ${token.email} (${token.userId}): ${token.source}, valid ${Math.round(token.expiresAt - Date.now() / 1000)} s`,
    );
  }
  log(`tokens verified against ${config.authUrl}/.well-known/jwks.json in ${Date.now() - started} ms`);

  const state: RunState = {
    env: config.env,
    urls: { frontend: config.frontendUrl, api: config.apiUrl, auth: config.authUrl, ws: config.wsUrl },
    preflight,
    users: tokens.map((token) => ({
      email: token.email,
      userId: token.userId,
      tokenSource: token.source,
      validForS: Math.round(token.expiresAt - Date.now() / 1000),
    })),
  };
  writeFileSync(path.join(config.stateDir, 'run.json'), JSON.stringify(state, null, 2));
}

export default async function globalSetup(fullConfig: FullConfig): Promise<void> {
  try {
    await setUp(fullConfig);
  } catch (error) {
    if (error instanceof CausedError) {
      // The message is the evidence; a stack trace into the harness would only bury it.
      error.stack = `${error.message}`;
    }
    throw error;
  }
}
