/**
 * Preflight: is every service up and healthy? All probes run at once, each with its own
 * timeout, and the answer is a table naming each service and what it said: the seeds'
 * "Backend not healthy: Internal Server Error", made complete.
 */
import { performance } from 'node:perf_hooks';
import { CausedError } from './causes.ts';
import type { HarnessConfig } from './config.ts';
import type { HealthRules, ProbeCheck } from './dialect.ts';
import { contractDialect } from './dialects/contract.ts';
import { describeNetworkError, prepareHttp, request } from './http.ts';
import { urlUnder } from './url.ts';

export interface Probe {
  service: 'auth' | 'backend' | 'frontend';
  name: string;
  url: string;
  ok: boolean;
  unreachable: boolean;
  status?: number;
  latencyMs: number;
  excerpt: string;
  problem?: string;
  body?: Record<string, unknown>;
}

export interface PreflightResult {
  ok: boolean;
  at: string;
  probes: Probe[];
  /** What the services said about themselves (versions, environment), for reports. */
  services: Record<string, { version?: string; service?: string; environment?: string }>;
}

type Check = (status: number, body: Record<string, unknown> | undefined) => string | undefined;

/** The checks of one dialect's health rules. */
function checksOf(rules: HealthRules): Record<ProbeCheck, Check> {
  const json = (status: number, body: Record<string, unknown> | undefined) =>
    status !== 200 ? `HTTP ${status}` : body ? undefined : 'answer is not JSON';
  const health: Check = (status, body) => json(status, body) ?? (body ? rules.unhealthy(body) : undefined);
  return {
    health,
    'auth-health': (status, body) => health(status, body) ?? (body ? rules.authUnhealthy(body) : undefined),
    json,
    keys: servesKeys,
    page: servesPage,
  };
}

const answers: Check = () => undefined;

/**
 * The health rules with the frontend's page probe asking for the profile's sign-in page: a
 * profile that moves it (`ui.loginPath`) moves the probe with it.
 */
export function withSignInPage(rules: HealthRules, loginPath: string): HealthRules {
  return {
    ...rules,
    probes: rules.probes.map((probe) => (probe.check === 'page' ? { ...probe, path: loginPath } : probe)),
  };
}

/** The key set tokens are verified against: without it no token can be, whatever its worth. */
const servesKeys: Check = (status, body) => {
  if (status !== 200) return `HTTP ${status}`;
  if (!body) return 'answer is not JSON';
  return Array.isArray(body.keys) && body.keys.length > 0 ? undefined : 'no keys in the key set';
};

const servesPage: Check = (status) => (status >= 200 && status < 300 ? undefined : `HTTP ${status}`);

async function probe(
  service: Probe['service'],
  name: string,
  url: string,
  check: Check,
  config: HarnessConfig,
): Promise<Probe> {
  const timeoutMs = config.preflightTimeoutMs;
  const started = performance.now();
  try {
    const response = await request(
      url,
      {
        method: 'GET',
        headers: { accept: 'application/json, text/html' },
        signal: AbortSignal.timeout(timeoutMs),
      },
      config.network,
    );
    const text = await response.body.text();
    const latencyMs = Math.round(performance.now() - started);
    let body: Record<string, unknown> | undefined;
    try {
      const parsed: unknown = JSON.parse(text);
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed))
        body = parsed as Record<string, unknown>;
    } catch {
      body = undefined;
    }
    const problem = check(response.statusCode, body);
    const excerpt = text.replace(/\s+/g, ' ').slice(0, 120);
    return {
      service,
      name,
      url,
      ok: !problem,
      unreachable: false,
      status: response.statusCode,
      latencyMs,
      excerpt,
      ...(problem ? { problem } : {}),
      ...(body ? { body } : {}),
    };
  } catch (error) {
    return {
      service,
      name,
      url,
      ok: false,
      unreachable: true,
      latencyMs: Math.round(performance.now() - started),
      excerpt: '',
      problem: describeNetworkError(error, timeoutMs),
    };
  }
}

export async function runPreflight(
  config: HarnessConfig,
  rules: HealthRules = contractDialect.health,
): Promise<PreflightResult> {
  await prepareHttp(config.network);
  const checks = checksOf(rules);
  const bases = { auth: config.authUrl, backend: config.apiUrl, frontend: config.frontendUrl };
  const routes = rules.probes.map(
    ({ service, path, check }) => [service, bases[service], path, checks[check]] as const,
  );
  const named = routes.map(([service, base, route, check]) =>
    probe(service, `GET ${route}`, urlUnder(base, route), check, config),
  );
  // A socket on a host of its own: its certificate chain is checked too (any HTTP answer will
  // do), so that no service the browser reaches goes unverified (README, "TLS and proxies").
  const socket = new URL(config.wsUrl.replace(/^ws/, 'http'));
  const origins = new Set(
    [config.authUrl, config.apiUrl, config.frontendUrl].map((base) => new URL(base).origin),
  );
  if (socket.protocol === 'https:' && !origins.has(socket.origin)) {
    named.push(probe('backend', `TLS ${socket.host}`, socket.href, answers, config));
  }
  const probes = await Promise.all(named);
  const services: PreflightResult['services'] = {};
  for (const item of probes) {
    if (!item.body || services[item.service]) continue;
    const { version, service, environment } = item.body;
    services[item.service] = {
      ...(typeof version === 'string' ? { version } : {}),
      ...(typeof service === 'string' ? { service } : {}),
      ...(typeof environment === 'string' ? { environment } : {}),
    };
  }
  return { ok: probes.every((item) => item.ok), at: new Date().toISOString(), probes, services };
}

export function formatPreflightTable(result: PreflightResult): string {
  const rows = result.probes.map((item) => [
    item.ok ? 'ok' : 'FAIL',
    item.service,
    item.name,
    item.status === undefined ? '-' : String(item.status),
    `${item.latencyMs} ms`,
    item.problem ?? item.excerpt.slice(0, 60),
  ]);
  const header = ['', 'service', 'probe', 'status', 'latency', 'answer'];
  const widths = header.map((_, column) =>
    Math.max(...[header, ...rows].map((row) => (row[column] ?? '').length)),
  );
  const line = (row: string[]) =>
    row
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

/** Throws `[SERVICE_UNREACHABLE]` or `[SERVICE_UNHEALTHY]` with the whole table. */
export function assertPreflight(result: PreflightResult): void {
  if (result.ok) return;
  const failed = result.probes.filter((item) => !item.ok);
  const unreachable = failed.filter((item) => item.unreachable);
  const code = unreachable.length > 0 ? 'SERVICE_UNREACHABLE' : 'SERVICE_UNHEALTHY';
  const first = (unreachable[0] ?? failed[0]) as Probe;
  throw new CausedError(
    code,
    `${first.service} ${first.name} (${first.url}): ${first.problem}\n${formatPreflightTable(result)}`,
    result,
  );
}
