/**
 * Preflight: is every service up and healthy? All probes run at once, each with its own
 * timeout, and the answer is a table naming each service and what it said: the seeds'
 * "Backend not healthy: Internal Server Error", made complete.
 */
import { performance } from 'node:perf_hooks';
import { CausedError } from './causes.ts';
import type { HarnessConfig } from './config.ts';
import { request } from './http.ts';

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

const healthy: Check = (status, body) => {
  if (status !== 200) return `HTTP ${status}`;
  if (!body) return 'answer is not JSON';
  return body.status === 'healthy' ? undefined : `status is ${JSON.stringify(body.status)}, not "healthy"`;
};

const authHealthy: Check = (status, body) =>
  healthy(status, body) ??
  (body?.database_status === 'connected'
    ? undefined
    : `database_status is ${JSON.stringify(body?.database_status)}, not "connected"`);

const answersJson: Check = (status, body) =>
  status !== 200 ? `HTTP ${status}` : body ? undefined : 'answer is not JSON';

const servesPage: Check = (status) => (status >= 200 && status < 300 ? undefined : `HTTP ${status}`);

/** Network failures worth naming: what a person would check first. */
function describeNetworkError(error: unknown, timeoutMs: number): string {
  const err = error as { name?: string; code?: string; message?: string; cause?: { code?: string } };
  if (err.name === 'TimeoutError' || err.name === 'AbortError') return `no answer within ${timeoutMs} ms`;
  const code = err.code ?? err.cause?.code;
  const words: Record<string, string> = {
    ECONNREFUSED: 'connection refused (nothing listening)',
    ENOTFOUND: 'host name not found (DNS)',
    EAI_AGAIN: 'DNS lookup failed',
    ECONNRESET: 'connection reset',
    UND_ERR_CONNECT_TIMEOUT: 'connect timed out',
    UND_ERR_HEADERS_TIMEOUT: `no answer within ${timeoutMs} ms`,
    CERT_HAS_EXPIRED: 'TLS certificate expired',
    DEPTH_ZERO_SELF_SIGNED_CERT: 'TLS certificate is self-signed',
  };
  return (code && words[code]) ?? `${code ?? err.name ?? 'error'}: ${err.message ?? String(error)}`;
}

async function probe(
  service: Probe['service'],
  name: string,
  url: string,
  check: Check,
  timeoutMs: number,
): Promise<Probe> {
  const started = performance.now();
  try {
    const response = await request(url, {
      method: 'GET',
      headers: { accept: 'application/json, text/html' },
      signal: AbortSignal.timeout(timeoutMs),
    });
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

export async function runPreflight(config: HarnessConfig): Promise<PreflightResult> {
  const t = config.preflightTimeoutMs;
  const probes = await Promise.all([
    probe('auth', 'GET /health', `${config.authUrl}/health`, authHealthy, t),
    probe('backend', 'GET /health', `${config.apiUrl}/health`, healthy, t),
    probe('backend', 'GET /api/health', `${config.apiUrl}/api/health`, healthy, t),
    probe('backend', 'GET /ws/health', `${config.apiUrl}/ws/health`, answersJson, t),
    probe('backend', 'GET /ws/config', `${config.apiUrl}/ws/config`, answersJson, t),
    probe('frontend', 'GET /login', `${config.frontendUrl}/login`, servesPage, t),
  ]);
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
