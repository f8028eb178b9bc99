/** Reads every PLATFORM_* environment variable into one validated configuration object. */
import { readFileSync } from 'node:fs';
import {
  BACKEND_SHAPES,
  type BackendShape,
  FRONTEND_SHAPES,
  type FrontendShape,
  type VolumeShape,
} from './deployment-shapes.ts';
import { type FaultName, parseFault } from './faults.ts';
import { type FrontendIds, parseFrontendIds } from './frontend-ids.ts';

export const PLATFORM_DIALECTS = ['contract', 'netra'] as const;
export type PlatformDialectName = (typeof PLATFORM_DIALECTS)[number];

function parseDialect(raw: string): PlatformDialectName {
  if (!(PLATFORM_DIALECTS as readonly string[]).includes(raw))
    throw new ConfigError(`PLATFORM_DIALECT must be ${PLATFORM_DIALECTS.join(' or ')}, got "${raw}"`);
  return raw as PlatformDialectName;
}

export const SERVICE_NAMES = ['auth', 'backend', 'frontend'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

export const JWT_ALGS = ['ES256', 'RS256'] as const;
export type JwtAlg = (typeof JWT_ALGS)[number];

export interface PlatformConfig {
  host: string;
  ports: { auth: number; api: number; frontend: number };
  /** Services run by this process, always in start order: auth, backend, frontend. */
  services: ServiceName[];
  /** Where services outside this process live (in-process services are wired to their bound URLs). */
  urls: { auth: string; api: string; ws: string };
  bypassKey: string;
  /** `contract` (CONTRACT.md) or `netra` (docs/netra.md): what the services speak. */
  dialect: PlatformDialectName;
  /** HS256 secret of the netra dialect's tokens. */
  jwtSecret: string;
  users: string[];
  userPassword: string;
  environment: string;
  tokenTtlS: number;
  jwt: { issuer: string; audience: string; alg: JwtAlg };
  runMs: number;
  /** `varied`: each run picks its event count and pacing at random; `fixed`: every run the same. */
  runShape: 'varied' | 'fixed';
  frontendShapes: FrontendShape[];
  /** `custom`: the frontend's own test ids and paths (platform/frontend-ids.ts). */
  frontendIds: FrontendIds;
  backendShapes: BackendShape[];
  volume: VolumeShape;
  fault: FaultName | undefined;
  faultDelayMs: number;
  floodFrames: number;
  /** Serve https/wss with this certificate and key; `ca` is trusted when fetching the JWKS. */
  tls: { cert: string; key: string; ca?: string } | undefined;
  /** Path prefix each service is served under ('' = the root). */
  prefixes: { auth: string; api: string; frontend: string };
  /** Serve every service of this process on one port (PLATFORM_API_PORT), told apart by prefix. */
  oneOrigin: boolean;
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

function text(env: Env, name: string, fallback: string): string {
  const value = env[name];
  return value === undefined || value.trim() === '' ? fallback : value.trim();
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = text(env, name, String(fallback));
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be an integer between ${min} and ${max}, got "${raw}"`);
  }
  return value;
}

function runShape(env: Env): 'varied' | 'fixed' {
  const raw = text(env, 'PLATFORM_RUN_SHAPE', 'varied');
  if (raw !== 'varied' && raw !== 'fixed')
    throw new ConfigError(`PLATFORM_RUN_SHAPE must be "varied" or "fixed", got "${raw}"`);
  return raw;
}

/** A comma list of names, each one of `valid`. */
function nameList<T extends string>(env: Env, name: string, valid: readonly T[]): T[] {
  const names = text(env, name, '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  for (const value of names) {
    if (!(valid as readonly string[]).includes(value))
      throw new ConfigError(`${name}: unknown shape "${value}"; valid: ${valid.join(', ')}`);
  }
  return names as T[];
}

function absoluteUrl(env: Env, name: string, fallback: string, schemes: string[]): string {
  const raw = text(env, name, fallback);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`${name} is not a valid URL: "${raw}"`);
  }
  if (!schemes.includes(url.protocol)) {
    throw new ConfigError(`${name} must use ${schemes.join(' or ')}, got "${raw}"`);
  }
  return url.href.replace(/\/$/, '');
}

function fileText(env: Env, name: string): string | undefined {
  const file = text(env, name, '');
  if (file === '') return undefined;
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(
      `${name}: cannot read "${file}" (${(err as NodeJS.ErrnoException).code ?? String(err)})`,
    );
  }
}

function tlsFiles(env: Env): PlatformConfig['tls'] {
  const cert = fileText(env, 'PLATFORM_TLS_CERT');
  const key = fileText(env, 'PLATFORM_TLS_KEY');
  const ca = fileText(env, 'PLATFORM_TLS_CA');
  if ((cert === undefined) !== (key === undefined))
    throw new ConfigError('PLATFORM_TLS_CERT and PLATFORM_TLS_KEY go together: set both or neither');
  return cert !== undefined && key !== undefined
    ? { cert, key, ...(ca !== undefined ? { ca } : {}) }
    : undefined;
}

/** '' or `/seg[/seg...]`, without a trailing slash. */
function prefix(env: Env, name: string): string {
  const raw = text(env, name, '').replace(/\/+$/, '');
  if (raw !== '' && !/^(\/[A-Za-z0-9._~-]+)+$/.test(raw))
    throw new ConfigError(`${name} must be a path like /identity, got "${raw}"`);
  return raw;
}

function prefixes(env: Env, oneOrigin: boolean): PlatformConfig['prefixes'] {
  const value = {
    auth: prefix(env, 'PLATFORM_AUTH_PREFIX'),
    api: prefix(env, 'PLATFORM_API_PREFIX'),
    frontend: prefix(env, 'PLATFORM_FRONTEND_PREFIX'),
  };
  const all = Object.values(value);
  if (oneOrigin && new Set(all).size !== all.length)
    throw new ConfigError(
      `PLATFORM_ONE_ORIGIN serves all services on one port: their prefixes must differ, got ${JSON.stringify(value)}`,
    );
  return value;
}

/** ws(s)://<host of the API>/ws */
export function defaultWsUrl(apiUrl: string): string {
  const url = new URL(apiUrl);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  url.pathname = '/ws';
  url.search = '';
  return url.href;
}

/** The presence socket lives beside /ws on the same host. */
export function presenceUrlFor(wsUrl: string): string {
  return new URL('presence', wsUrl).href;
}

function parseServices(raw: string): ServiceName[] {
  const wanted = raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  for (const name of wanted) {
    if (!(SERVICE_NAMES as readonly string[]).includes(name)) {
      throw new ConfigError(
        `PLATFORM_SERVICES: unknown service "${name}"; valid: ${SERVICE_NAMES.join(', ')}`,
      );
    }
  }
  const services = SERVICE_NAMES.filter((name) => wanted.includes(name));
  if (services.length === 0) throw new ConfigError('PLATFORM_SERVICES names no service');
  return services;
}

export function loadConfig(env: Env = process.env): PlatformConfig {
  const alg = text(env, 'PLATFORM_JWT_ALG', 'ES256');
  if (!(JWT_ALGS as readonly string[]).includes(alg)) {
    throw new ConfigError(`PLATFORM_JWT_ALG must be ${JWT_ALGS.join(' or ')}, got "${alg}"`);
  }
  const users = text(
    env,
    'PLATFORM_USERS',
    'alice@example.test,bob@example.test,carol@example.test,dave@example.test',
  )
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (users.length === 0) throw new ConfigError('PLATFORM_USERS names no user');

  const oneOrigin = ['1', 'true', 'yes'].includes(text(env, 'PLATFORM_ONE_ORIGIN', '').toLowerCase());
  const api = absoluteUrl(env, 'PLATFORM_API_URL', 'http://127.0.0.1:47812', ['http:', 'https:']);
  return {
    host: text(env, 'PLATFORM_HOST', '127.0.0.1'),
    ports: {
      auth: integer(env, 'PLATFORM_AUTH_PORT', 47811, 0, 65535),
      api: integer(env, 'PLATFORM_API_PORT', 47812, 0, 65535),
      frontend: integer(env, 'PLATFORM_FRONTEND_PORT', 47813, 0, 65535),
    },
    services: parseServices(text(env, 'PLATFORM_SERVICES', SERVICE_NAMES.join(','))),
    urls: {
      auth: absoluteUrl(env, 'PLATFORM_AUTH_URL', 'http://127.0.0.1:47811', ['http:', 'https:']),
      api,
      ws: absoluteUrl(env, 'PLATFORM_WS_URL', defaultWsUrl(api), ['ws:', 'wss:']),
    },
    bypassKey: text(env, 'PLATFORM_BYPASS_KEY', 'local-bypass-key'),
    dialect: parseDialect(text(env, 'PLATFORM_DIALECT', 'contract')),
    jwtSecret: text(env, 'PLATFORM_JWT_SECRET', 'local-netra-jwt-secret-0123456789abcdef'),
    users,
    userPassword: text(env, 'PLATFORM_USER_PASSWORD', 'correct-horse-battery'),
    environment: text(env, 'PLATFORM_ENVIRONMENT', 'local'),
    tokenTtlS: integer(env, 'PLATFORM_TOKEN_TTL_S', 900, 1, 7 * 24 * 3600),
    jwt: {
      issuer: text(env, 'PLATFORM_JWT_ISSUER', 'golden-path-reference-auth'),
      audience: text(env, 'PLATFORM_JWT_AUDIENCE', 'golden-path'),
      alg: alg as JwtAlg,
    },
    runMs: integer(env, 'PLATFORM_RUN_MS', 1500, 0, 10 * 60 * 1000),
    runShape: runShape(env),
    frontendShapes: nameList(env, 'PLATFORM_FRONTEND_SHAPE', FRONTEND_SHAPES),
    frontendIds: parseFrontendIds(env.PLATFORM_FRONTEND_IDS),
    backendShapes: nameList(env, 'PLATFORM_BACKEND_SHAPE', BACKEND_SHAPES),
    volume: {
      bigFrameBytes: integer(env, 'PLATFORM_BIG_FRAME_BYTES', 0, 0, 64 * 1024 * 1024),
      thinkingFrames: integer(env, 'PLATFORM_THINKING_FRAMES', 0, 0, 100_000),
      heartbeatMs: integer(env, 'PLATFORM_HEARTBEAT_MS', 15_000, 1, 24 * 3600 * 1000),
    },
    fault: parseFault(env.PLATFORM_FAULT),
    faultDelayMs: integer(env, 'PLATFORM_FAULT_DELAY_MS', 3000, 0, 10 * 60 * 1000),
    floodFrames: integer(env, 'PLATFORM_FLOOD_FRAMES', 0, 0, 10_000_000),
    tls: tlsFiles(env),
    prefixes: prefixes(env, oneOrigin),
    oneOrigin,
  };
}
