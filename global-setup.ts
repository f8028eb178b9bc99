/**
 * Before any browser starts: valid configuration, healthy services, and a real, verified token
 * for every configured user. Each failure stops the run with its cause code and evidence.
 */
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { FullConfig } from '@playwright/test';
import { CausedError } from './harness/causes.ts';
import { describeConfig, type HarnessConfig, loadConfig } from './harness/config.ts';
import {
  assertPreflight,
  formatPreflightTable,
  type PreflightResult,
  runPreflight,
  withSignInPage,
} from './harness/preflight.ts';
import { createProfiledHarness, type RunState, writeStateFile } from './harness/run-context.ts';
import { obtainToken, trustedBy } from './harness/tokens.ts';

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
  // The profile loads (and is checked) here, before any browser starts.
  const { secrets, keys, cache, profile } = await createProfiledHarness(config);
  log(
    `profile: ${profile.name} (wire dialect ${profile.dialect.name}, tokens verified by ${profile.tokens.verify})`,
  );
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

  const preflight = await runPreflight(config, withSignInPage(profile.dialect.health, profile.ui.loginPath));
  writeStateFile(config.stateDir, 'preflight.json', preflight);
  log(`preflight:\n${formatPreflightTable(preflight)}`);
  assertPreflight(preflight);
  guardProduction(config, preflight);

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
  log(`tokens verified against ${trustedBy(config, keys)} in ${Date.now() - started} ms`);

  const state: RunState = {
    env: config.env,
    urls: { frontend: config.frontendUrl, api: config.apiUrl, auth: config.authUrl, ws: config.wsUrl },
    preflight,
    profile: { name: profile.name, dialect: profile.dialect.name, tokenVerification: profile.tokens.verify },
    users: tokens.map((token) => ({
      email: token.email,
      userId: token.userId,
      tokenSource: token.source,
      validForS: Math.round(token.expiresAt - Date.now() / 1000),
    })),
  };
  writeStateFile(config.stateDir, 'run.json', state);
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
