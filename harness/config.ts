/**
 * The one configuration module. Precedence: process environment, then `.env.<E2E_ENV>`, then
 * `.env`. Only `E2E_ENV=local` (the bundled reference platform) has defaults. Every bad value
 * is collected and reported together as `[CONFIG_INVALID]`, before any browser starts.
 */
import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import dotenv from 'dotenv';
import { CausedError } from './causes.ts';
import { defaultWsUrl } from './url.ts';

export const AGENT_EVENTS = [
  'agent_started',
  'agent_thinking',
  'tool_executing',
  'tool_completed',
  'agent_completed',
] as const;
export type AgentEventType = (typeof AGENT_EVENTS)[number];

export type Budgets = Record<AgentEventType, number>;

export interface HarnessConfig {
  env: string;
  isLocal: boolean;
  frontendUrl: string;
  apiUrl: string;
  authUrl: string;
  wsUrl: string;
  bypassKey: string;
  users: string[];
  password: string | undefined;
  jwtIssuer: string | undefined;
  jwtAudience: string | undefined;
  /** The HS256 signing secret (a secret), for profiles that verify tokens that way. */
  jwtSecret: string | undefined;
  eventTimeoutMs: number;
  handshakeTimeoutMs: number;
  preflightTimeoutMs: number;
  /** How long after an event's arrival the page may take to show it. */
  renderBudgetMs: number;
  budgets: Budgets;
  /** Reuse a cached token only while it stays valid for longer than this. */
  tokenMinValidityS: number;
  allowProductionBypass: boolean;
  /** Reference-platform-only control endpoint (drops sockets for the resilience spec). */
  controlUrl: string | undefined;
  browserWsEndpoint: string | undefined;
  /** Playwright traces: kept for failed tests (the default), for every test, or none. */
  trace: TraceMode;
  /** E2E_PROFILE as given: a built-in profile name or a module path (resolved by harness/profile.ts). */
  profile: string;
  /** Where run state lives: token cache (0600), preflight result. Gitignored. */
  stateDir: string;
  /** How the harness and the browser reach the deployment: private CA, proxies. */
  network: Network;
  /** The sign-off's webhook (a secret: registered so that no artifact holds it). */
  notifyWebhook: string | undefined;
}

export interface Network {
  /** `E2E_CA_CERT`: the file, and the PEM of the CA certificates the deployment chains to. */
  ca?: { file: string; pem: string };
  /** `HTTP_PROXY`, `HTTPS_PROXY`, `NO_PROXY` (or their lowercase forms). */
  proxy?: ProxySettings;
}

export interface ProxySettings {
  http?: string;
  https?: string;
  noProxy?: string;
}

/** The bundled reference platform's settings: the only defaults there are. */
export const LOCAL_DEFAULTS: Record<string, string> = {
  E2E_FRONTEND_URL: 'http://127.0.0.1:47813',
  E2E_API_URL: 'http://127.0.0.1:47812',
  E2E_AUTH_URL: 'http://127.0.0.1:47811',
  E2E_BYPASS_KEY: 'local-bypass-key',
  E2E_USERS: 'alice@example.test,bob@example.test,carol@example.test,dave@example.test',
  E2E_USER_PASSWORD: 'correct-horse-battery',
  E2E_JWT_ISSUER: 'golden-path-reference-auth',
  E2E_JWT_AUDIENCE: 'golden-path',
  E2E_CONTROL_URL: 'http://127.0.0.1:47812/__platform',
};

const DEFAULT_BUDGETS: Budgets = {
  agent_started: 5_000,
  agent_thinking: 10_000,
  tool_executing: 15_000,
  tool_completed: 20_000,
  agent_completed: 30_000,
};

/** Every variable the harness reads, with what a good value looks like. */
export const VARIABLES = {
  E2E_ENV: '`local` (default: the bundled platform) or any other name, e.g. `staging`',
  E2E_FRONTEND_URL: 'frontend base URL, e.g. https://app.staging.example.com',
  E2E_API_URL: 'backend base URL, e.g. https://api.staging.example.com',
  E2E_AUTH_URL: 'auth service base URL, e.g. https://auth.staging.example.com',
  E2E_WS_URL: 'agent socket URL; default ws(s)://<api host>/ws',
  E2E_BYPASS_KEY: 'the auth service test-auth key (secret)',
  E2E_USERS: 'comma-separated emails of users that already exist, e.g. e2e-1@example.com,e2e-2@example.com',
  E2E_USER_PASSWORD:
    'optional (secret): enables UI password login; without it the token goes through /auth/callback',
  E2E_JWT_ISSUER: 'optional: expected `iss` of access tokens',
  E2E_JWT_AUDIENCE: 'optional: expected `aud` of access tokens',
  E2E_JWT_SECRET:
    'optional (secret): the auth service\'s HS256 signing secret, for a profile with tokens.verify "hs256"',
  E2E_EVENT_TIMEOUT_MS: 'how long to wait for the agent run, in ms (default 30000)',
  E2E_WS_HANDSHAKE_TIMEOUT_MS:
    'how long the agent socket may take to open and authenticate, in ms (default 10000)',
  E2E_PREFLIGHT_TIMEOUT_MS: 'per-probe timeout of the health preflight, in ms (default 5000)',
  E2E_RENDER_BUDGET_MS:
    "how long after the run's last event arrived the page may take to show every event and the answer, in ms (default 3000)",
  E2E_EVENT_BUDGETS_MS:
    'optional per-event latency budgets since the message was sent, e.g. agent_started=3000,agent_completed=20000',
  E2E_TOKEN_MIN_VALIDITY_S: 'reuse or keep a token only while it is valid for longer than this (default 120)',
  E2E_ALLOW_PRODUCTION_BYPASS: 'set to `yes-i-know` to let the bypass key be used against production',
  E2E_CONTROL_URL: 'optional, reference platform only: its /__platform control URL (resilience spec)',
  E2E_BROWSER_WS_ENDPOINT:
    'optional: a Playwright browser server (ws://...) to connect to instead of launching',
  E2E_PROFILE:
    'optional: the platform profile, a built-in name (`contract`, the default; `netra`) or a path to a .ts/.js module (README, "Writing a profile")',
  E2E_STATE_DIR: 'optional: folder for the token cache and run state (default .golden-path)',
  E2E_CA_CERT:
    'optional: a PEM file of the CA certificate(s) the deployment chains to (a private CA), e.g. ./certs/staging-ca.pem',
  HTTPS_PROXY: 'optional: proxy for https/wss requests, e.g. http://proxy.internal:3128 (also https_proxy)',
  HTTP_PROXY: 'optional: proxy for http/ws requests, e.g. http://proxy.internal:3128 (also http_proxy)',
  NO_PROXY:
    'optional: comma-separated hosts reached without the proxy, e.g. localhost,.internal.example.com (also no_proxy)',
  E2E_TRACE:
    '`retain-on-failure` (default: a trace of each failed test, DOM snapshots without the screencast), `on` (every test, with the screencast) or `off`',
  E2E_NOTIFY_WEBHOOK:
    'optional (secret): a webhook URL (Slack-compatible) the sign-off posts its verdict to, e.g. https://hooks.slack.com/services/...',
  E2E_NOTIFY_TIMEOUT_MS: "optional: how long each of the webhook's two tries may take (default 10000)",
  E2E_REPORT_URL: "optional: the report's link in the sign-off's webhook message, e.g. the CI run's URL",
  E2E_LATENCY_HISTORY:
    'optional: the latency history file (default <state dir>/latency-history.jsonl), kept across runs like the Allure history',
  E2E_DRIFT_PERCENT:
    "sign-off drift warning: an event's p50 more than this many percent above the recent median (default 50)",
  E2E_DRIFT_NIGHTS: 'sign-off drift warning: how many earlier runs of the env the median is over (default 7)',
} as const;

export const TRACE_MODES = ['retain-on-failure', 'on', 'off'] as const;
export type TraceMode = (typeof TRACE_MODES)[number];

export type VariableName = keyof typeof VARIABLES;
export const SECRET_VARIABLES: VariableName[] = [
  'E2E_BYPASS_KEY',
  'E2E_USER_PASSWORD',
  'E2E_JWT_SECRET',
  'E2E_NOTIFY_WEBHOOK',
];

export interface LoadOptions {
  /** Folder holding `.env` files; default: the project root. */
  cwd?: string;
  /** The environment to read; default `process.env` (which wins over the files). */
  env?: NodeJS.ProcessEnv;
}

/** Read `.env` then `.env.<name>` under the process environment, without touching it. */
export function resolveEnvironment(options: LoadOptions = {}): Record<string, string | undefined> {
  const cwd = options.cwd ?? process.cwd();
  const processEnv = options.env ?? process.env;
  const readFile = (name: string): Record<string, string> => {
    const file = path.join(cwd, name);
    return existsSync(file) ? dotenv.parse(readFileSync(file)) : {};
  };
  const base = readFile('.env');
  const envName = processEnv.E2E_ENV || base.E2E_ENV || 'local';
  const named = readFile(`.env.${envName}`);
  const merged: Record<string, string | undefined> = { ...base, ...named };
  for (const [key, value] of Object.entries(processEnv)) {
    if (value !== undefined && value !== '') merged[key] = value;
  }
  merged.E2E_ENV = envName;
  return merged;
}

/** Load and validate; throws `[CONFIG_INVALID]` naming every bad variable. */
export function loadConfig(options: LoadOptions = {}): HarnessConfig {
  const raw = resolveEnvironment(options);
  const env = raw.E2E_ENV ?? 'local';
  const isLocal = env === 'local';
  const get = (name: VariableName): string | undefined => {
    const value = raw[name]?.trim();
    if (value) return value;
    return isLocal ? LOCAL_DEFAULTS[name] : undefined;
  };
  const problems: string[] = [];
  const bad = (name: VariableName, why: string) => problems.push(`${name}: ${why}; want ${VARIABLES[name]}`);

  const url = (name: VariableName, protocols: string[], required = true): string | undefined => {
    const value = get(name);
    if (!value) {
      if (required) bad(name, 'missing');
      return undefined;
    }
    try {
      const parsed = new URL(value);
      if (!protocols.includes(parsed.protocol)) {
        bad(name, `"${value}" uses ${parsed.protocol} (allowed: ${protocols.join(' ')})`);
        return undefined;
      }
      return value.replace(/\/+$/, '');
    } catch {
      bad(name, `"${value}" is not a URL`);
      return undefined;
    }
  };
  const integer = (name: VariableName, fallback: number, min: number): number => {
    const value = get(name);
    if (value === undefined) return fallback;
    if (!/^\d+$/.test(value) || Number(value) < min) {
      bad(name, `"${value}" is not a whole number ≥ ${min}`);
      return fallback;
    }
    return Number(value);
  };

  const http = ['http:', 'https:'];
  const frontendUrl = url('E2E_FRONTEND_URL', http);
  const apiUrl = url('E2E_API_URL', http);
  const authUrl = url('E2E_AUTH_URL', http);
  let wsUrl = url('E2E_WS_URL', ['ws:', 'wss:'], false);
  if (!wsUrl && apiUrl) wsUrl = defaultWsUrl(apiUrl);
  const controlUrl = url('E2E_CONTROL_URL', http, false);
  const browserWsEndpoint = url('E2E_BROWSER_WS_ENDPOINT', ['ws:', 'wss:'], false);

  const bypassKey = get('E2E_BYPASS_KEY');
  if (!bypassKey) bad('E2E_BYPASS_KEY', 'missing');

  const users = (get('E2E_USERS') ?? '')
    .split(',')
    .map((user) => user.trim())
    .filter(Boolean);
  if (users.length === 0) bad('E2E_USERS', 'missing');
  const notEmails = users.filter((user) => !/^[^@\s]+@[^@\s]+$/.test(user));
  if (notEmails.length > 0) bad('E2E_USERS', `not email addresses: ${notEmails.join(', ')}`);
  if (new Set(users).size !== users.length) bad('E2E_USERS', 'lists a user twice');

  const budgets = { ...DEFAULT_BUDGETS };
  const budgetSpec = get('E2E_EVENT_BUDGETS_MS');
  for (const entry of budgetSpec ? budgetSpec.split(',') : []) {
    const parts = entry.split('=').map((part) => part.trim());
    const [name, value] = parts;
    if (
      parts.length !== 2 ||
      !name ||
      !(AGENT_EVENTS as readonly string[]).includes(name) ||
      !value ||
      !/^\d+$/.test(value)
    ) {
      bad('E2E_EVENT_BUDGETS_MS', `"${entry}" is not <event>=<ms> with one of ${AGENT_EVENTS.join(', ')}`);
      continue;
    }
    budgets[name as AgentEventType] = Number(value);
  }

  const allowOverride = get('E2E_ALLOW_PRODUCTION_BYPASS');
  if (allowOverride && allowOverride !== 'yes-i-know') {
    bad('E2E_ALLOW_PRODUCTION_BYPASS', `"${allowOverride}" is not the exact override`);
  }

  const trace = get('E2E_TRACE') ?? 'retain-on-failure';
  if (!(TRACE_MODES as readonly string[]).includes(trace)) bad('E2E_TRACE', `"${trace}" is not a trace mode`);

  const network: Network = {};
  const caFile = get('E2E_CA_CERT');
  if (caFile) {
    const file = path.resolve(options.cwd ?? process.cwd(), caFile);
    const pem = readCaBundle(file);
    if (typeof pem === 'string') network.ca = { file, pem };
    else bad('E2E_CA_CERT', `${file}: ${pem.problem}`);
  }
  const proxy: ProxySettings = {};
  const proxyVariable = (name: 'HTTPS_PROXY' | 'HTTP_PROXY'): string | undefined => {
    const value = (raw[name] ?? raw[name.toLowerCase()])?.trim();
    if (!value) return undefined;
    try {
      if (http.includes(new URL(value).protocol)) return value;
    } catch {
      // reported below
    }
    bad(name, `"${value}" is not an http(s) URL`);
    return undefined;
  };
  const httpsProxy = proxyVariable('HTTPS_PROXY');
  const httpProxy = proxyVariable('HTTP_PROXY');
  const noProxy = (raw.NO_PROXY ?? raw.no_proxy)?.trim();
  if (httpsProxy) proxy.https = httpsProxy;
  if (httpProxy) proxy.http = httpProxy;
  if ((httpsProxy || httpProxy) && noProxy) proxy.noProxy = noProxy;
  if (proxy.http || proxy.https) network.proxy = proxy;

  const config = {
    env,
    isLocal,
    frontendUrl: frontendUrl ?? '',
    apiUrl: apiUrl ?? '',
    authUrl: authUrl ?? '',
    wsUrl: wsUrl ?? '',
    bypassKey: bypassKey ?? '',
    users,
    password: get('E2E_USER_PASSWORD'),
    jwtIssuer: get('E2E_JWT_ISSUER'),
    jwtAudience: get('E2E_JWT_AUDIENCE'),
    jwtSecret: get('E2E_JWT_SECRET'),
    eventTimeoutMs: integer('E2E_EVENT_TIMEOUT_MS', 30_000, 1),
    handshakeTimeoutMs: integer('E2E_WS_HANDSHAKE_TIMEOUT_MS', 10_000, 1),
    preflightTimeoutMs: integer('E2E_PREFLIGHT_TIMEOUT_MS', 5_000, 1),
    renderBudgetMs: integer('E2E_RENDER_BUDGET_MS', 3_000, 1),
    budgets,
    tokenMinValidityS: integer('E2E_TOKEN_MIN_VALIDITY_S', 120, 0),
    allowProductionBypass: allowOverride === 'yes-i-know',
    controlUrl,
    browserWsEndpoint,
    trace: trace as TraceMode,
    profile: get('E2E_PROFILE') ?? 'contract',
    stateDir: path.resolve(options.cwd ?? process.cwd(), get('E2E_STATE_DIR') ?? '.golden-path'),
    network,
    notifyWebhook: get('E2E_NOTIFY_WEBHOOK'),
  };
  if (problems.length > 0) {
    throw new CausedError(
      'CONFIG_INVALID',
      `E2E_ENV=${env}: ${problems.length} setting(s) to fix (see .env.example and the README):\n  - ${problems.join('\n  - ')}`,
      { env, variables: problems.map((problem) => problem.split(':')[0]) },
    );
  }
  return config;
}

/** The PEM text of a CA bundle, or what is wrong with the file. */
function readCaBundle(file: string): string | { problem: string } {
  let pem: string;
  try {
    pem = readFileSync(file, 'utf8');
  } catch (error) {
    return {
      problem: `cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    };
  }
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) return { problem: 'holds no PEM certificate (-----BEGIN CERTIFICATE-----)' };
  for (const [index, block] of blocks.entries()) {
    try {
      new X509Certificate(block);
    } catch (error) {
      return { problem: `certificate ${index + 1} does not parse: ${(error as Error).message}` };
    }
  }
  return pem;
}

/** A printable view of the config: secrets appear only as presence and length. */
export function describeConfig(config: HarnessConfig): Record<string, string> {
  const secret = (value: string | undefined) => (value ? `set (${value.length} chars)` : 'not set');
  return {
    E2E_ENV: config.env,
    E2E_FRONTEND_URL: config.frontendUrl,
    E2E_API_URL: config.apiUrl,
    E2E_AUTH_URL: config.authUrl,
    E2E_WS_URL: config.wsUrl,
    E2E_BYPASS_KEY: secret(config.bypassKey),
    E2E_USERS: config.users.join(', '),
    E2E_USER_PASSWORD: secret(config.password),
    E2E_EVENT_TIMEOUT_MS: String(config.eventTimeoutMs),
    ...(config.network.ca ? { E2E_CA_CERT: config.network.ca.file } : {}),
    ...(config.network.proxy?.https ? { HTTPS_PROXY: withoutUserInfo(config.network.proxy.https) } : {}),
    ...(config.network.proxy?.http ? { HTTP_PROXY: withoutUserInfo(config.network.proxy.http) } : {}),
    ...(config.network.proxy?.noProxy ? { NO_PROXY: config.network.proxy.noProxy } : {}),
  };
}

/** A proxy URL may carry credentials: only its scheme, host and port are printed. */
function withoutUserInfo(url: string): string {
  const parsed = new URL(url);
  return `${parsed.protocol}//${parsed.host}`;
}
