/**
 * Platform profiles: the dialect a deployment really speaks, declared once. `E2E_PROFILE` names a
 * built-in (`contract`, the default; `netra`) or a module whose default export is a plain object
 * (`PlatformProfile`; `defineProfile` only adds type checking). `extends` takes a built-in and
 * overrides the fields given, nested objects merged. A malformed profile is `[CONFIG_INVALID]`
 * naming the field, before any browser starts.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Locator, Page } from '@playwright/test';
import { CausedError } from './causes.ts';
import type { WireDialect } from './dialect.ts';
import { BUILT_IN_DIALECTS } from './dialects/index.ts';
import { BUILT_IN_UI, UI_FIELDS, type UiProfile } from './profile-ui.ts';

export type TokenVerification = 'jwks' | 'hs256' | 'claims';

export interface TokenProfile {
  /** `jwks` (default), `hs256` with E2E_JWT_SECRET, or `claims` (exp, sub, email; no signature). */
  verify?: TokenVerification;
  /** The test-auth request body for a user. */
  testAuthBody?: (email: string) => Record<string, unknown>;
  /** The refresh request's field that carries the refresh token. */
  refreshField?: string;
}

export interface PlatformProfile {
  extends?: string;
  dialect?: string | Partial<WireDialect>;
  tokens?: TokenProfile;
  ui?: Partial<UiProfile>;
}

/** Identity: lets a profile module be type-checked and completed without importing anything else. */
export const defineProfile = (profile: PlatformProfile): PlatformProfile => profile;

export interface ResolvedProfile {
  /** What E2E_PROFILE said (a built-in name or the module's path). */
  name: string;
  dialect: WireDialect;
  tokens: Required<TokenProfile>;
  ui: UiProfile;
}

const CONTRACT_TOKENS: Required<TokenProfile> = {
  verify: 'jwks',
  testAuthBody: (email) => ({ email }),
  refreshField: 'refresh_token',
};

const BUILT_IN: Record<string, PlatformProfile> = {
  contract: { dialect: 'contract', tokens: CONTRACT_TOKENS, ui: BUILT_IN_UI.contract },
  netra: {
    dialect: 'netra',
    tokens: {
      verify: 'hs256',
      testAuthBody: (email) => ({
        email,
        name: email.split('@')[0],
        permissions: ['read', 'write'],
        simulate_oauth: true,
      }),
      refreshField: 'refresh_token',
    },
    ui: BUILT_IN_UI.netra,
  },
};

export const BUILT_IN_PROFILES = Object.keys(BUILT_IN);

const TOP_FIELDS = ['extends', 'dialect', 'tokens', 'ui'];
const TOKEN_FIELDS = ['verify', 'testAuthBody', 'refreshField'];
const VERIFICATIONS: TokenVerification[] = ['jwks', 'hs256', 'claims'];
const DIALECT_FIELDS = Object.keys(BUILT_IN_DIALECTS.contract as WireDialect);

const isPlain = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/** Every problem with a profile object, as `field: what is wrong; want …`. */
export function profileProblems(profile: unknown): string[] {
  if (!isPlain(profile))
    return [
      'the default export is not a plain object; want `export default { extends: "contract", ui: { … } }`',
    ];
  const problems: string[] = [];
  for (const key of Object.keys(profile))
    if (!TOP_FIELDS.includes(key))
      problems.push(`${key}: not a profile field; want one of ${TOP_FIELDS.join(', ')}`);
  if (profile.extends !== undefined && !(typeof profile.extends === 'string' && profile.extends in BUILT_IN))
    problems.push(
      `extends: ${JSON.stringify(profile.extends)} is not a built-in profile; want one of ${BUILT_IN_PROFILES.join(', ')}`,
    );
  const { dialect, tokens, ui } = profile;
  if (typeof dialect === 'string') {
    if (!(dialect in BUILT_IN_DIALECTS))
      problems.push(
        `dialect: "${dialect}" is not a built-in dialect; want one of ${Object.keys(BUILT_IN_DIALECTS).join(', ')} or an object of functions`,
      );
  } else if (dialect !== undefined) {
    if (!isPlain(dialect)) problems.push('dialect: want a built-in name or an object of functions');
    else
      for (const [key, value] of Object.entries(dialect)) {
        if (!DIALECT_FIELDS.includes(key))
          problems.push(`dialect.${key}: not a dialect field; want one of ${DIALECT_FIELDS.join(', ')}`);
        else if (
          key !== 'name' &&
          key !== 'health' &&
          key !== 'expects' &&
          key !== 'baseProtocols' &&
          typeof value !== 'function'
        )
          problems.push(`dialect.${key}: want a function`);
      }
  }
  if (tokens !== undefined) {
    if (!isPlain(tokens)) problems.push('tokens: want an object { verify?, testAuthBody?, refreshField? }');
    else {
      for (const key of Object.keys(tokens))
        if (!TOKEN_FIELDS.includes(key))
          problems.push(`tokens.${key}: not a token field; want one of ${TOKEN_FIELDS.join(', ')}`);
      if (tokens.verify !== undefined && !VERIFICATIONS.includes(tokens.verify as TokenVerification))
        problems.push(
          `tokens.verify: ${JSON.stringify(tokens.verify)}; want one of ${VERIFICATIONS.join(', ')}`,
        );
      if (tokens.testAuthBody !== undefined && typeof tokens.testAuthBody !== 'function')
        problems.push('tokens.testAuthBody: want a function (email) => request body');
      if (tokens.refreshField !== undefined && typeof tokens.refreshField !== 'string')
        problems.push('tokens.refreshField: want a field name');
    }
  }
  if (ui !== undefined) {
    if (!isPlain(ui)) problems.push('ui: want an object of paths and locator functions');
    else
      for (const [key, value] of Object.entries(ui)) {
        const want = UI_FIELDS[key as keyof typeof UI_FIELDS];
        if (!want)
          problems.push(`ui.${key}: not a ui field; want one of ${Object.keys(UI_FIELDS).join(', ')}`);
        else if (!want.accepts(value)) problems.push(`ui.${key}: want ${want.what}`);
      }
  }
  return problems;
}

/** `extends` first, then the profile's own fields over it, one level of nesting merged. */
export function mergeProfile(profile: PlatformProfile): PlatformProfile {
  const base = profile.extends ? (BUILT_IN[profile.extends] ?? {}) : {};
  const dialect =
    typeof profile.dialect === 'object'
      ? {
          ...BUILT_IN_DIALECTS[typeof base.dialect === 'string' ? base.dialect : 'contract'],
          ...profile.dialect,
        }
      : (profile.dialect ?? base.dialect);
  return {
    ...(dialect === undefined ? {} : { dialect }),
    tokens: { ...base.tokens, ...profile.tokens },
    ui: { ...base.ui, ...profile.ui },
  };
}

function complete(name: string, profile: PlatformProfile): ResolvedProfile {
  const merged = mergeProfile(profile);
  const dialect =
    typeof merged.dialect === 'object'
      ? ({ ...BUILT_IN_DIALECTS.contract, ...merged.dialect } as WireDialect)
      : (BUILT_IN_DIALECTS[merged.dialect ?? 'contract'] as WireDialect);
  return {
    name,
    dialect,
    tokens: { ...CONTRACT_TOKENS, ...merged.tokens },
    ui: { ...BUILT_IN_UI.contract, ...merged.ui },
  };
}

function invalid(spec: string, problems: string[]): CausedError {
  return new CausedError(
    'CONFIG_INVALID',
    `E2E_PROFILE=${spec}: ${problems.length} problem(s) to fix (see the README, "Writing a profile"):\n  - ${problems.join('\n  - ')}`,
  );
}

/** A built-in profile by name, without loading anything. */
export function builtInProfile(name: 'contract' | 'netra'): ResolvedProfile {
  return complete(name, BUILT_IN[name] as PlatformProfile);
}

/** The profile E2E_PROFILE names: a built-in, or a module relative to `cwd`. */
export async function resolveProfile(
  spec: string | undefined,
  cwd = process.cwd(),
): Promise<ResolvedProfile> {
  const name = spec?.trim() || 'contract';
  const builtIn = BUILT_IN[name];
  if (builtIn) return complete(name, builtIn);
  const file = path.resolve(cwd, name);
  if (!/\.[cm]?[jt]s$/.test(file))
    throw invalid(name, [
      `not a built-in profile (${BUILT_IN_PROFILES.join(', ')}) nor a .ts/.js module path`,
    ]);
  if (!existsSync(file)) throw invalid(name, [`no such file: ${file}`]);
  let loaded: unknown;
  try {
    loaded = ((await import(pathToFileURL(file).href)) as { default?: unknown }).default;
  } catch (error) {
    throw invalid(name, [`the module does not load: ${(error as Error).message.split('\n')[0]}`]);
  }
  const problems = profileProblems(loaded);
  if (problems.length > 0) throw invalid(name, problems);
  return complete(name, loaded as PlatformProfile);
}

export type { Locator, Page, UiProfile };
