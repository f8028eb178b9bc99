/**
 * Every HTTP request the harness makes goes through here, with one dispatcher per network
 * setting: the private CA (`E2E_CA_CERT`) trusted besides the public roots, and the proxies
 * (`HTTPS_PROXY`, `HTTP_PROXY`, `NO_PROXY`) honoured through undici's `EnvHttpProxyAgent`.
 *
 * undici is loaded on first use. Loading it takes about 160 ms, and a worker never needs it
 * while the tokens global setup cached stay valid: every worker would pay that at start-up for
 * nothing (BENCHMARKS.md, cold start).
 */
import { rootCertificates } from 'node:tls';
import type { Dispatcher } from 'undici';
import type { Network } from './config.ts';

type Undici = typeof import('undici');
export type RequestOptions = NonNullable<Parameters<Undici['request']>[1]>;

let undici: Promise<Undici> | undefined;
const loadUndici = (): Promise<Undici> => {
  undici ??= import('undici');
  return undici;
};

const dispatchers = new WeakMap<Network, Dispatcher>();

/** The CAs to trust: the public roots plus the deployment's own, when one is configured. */
export function trustedCas(network: Network): string[] | undefined {
  return network.ca ? [...rootCertificates, network.ca.pem] : undefined;
}

async function dispatcherFor(network: Network): Promise<Dispatcher> {
  const known = dispatchers.get(network);
  if (known) return known;
  const { EnvHttpProxyAgent } = await loadUndici();
  const ca = trustedCas(network);
  const tls = ca ? { ca } : {};
  const dispatcher = new EnvHttpProxyAgent({
    // Empty, not absent: undici would otherwise read the process environment, and the config
    // (which also reads `.env` files) is the one source of these settings.
    httpProxy: network.proxy?.http ?? '',
    httpsProxy: network.proxy?.https ?? '',
    noProxy: network.proxy?.noProxy ?? '',
    connect: tls,
    requestTls: tls,
    proxyTls: tls,
  });
  dispatchers.set(network, dispatcher);
  return dispatcher;
}

/**
 * Load undici and build the dispatcher, so that a caller's timeout measures the request, not
 * the first import (about 160 ms, far more on a loaded machine).
 */
export async function prepareHttp(network: Network): Promise<void> {
  await dispatcherFor(network);
}

export async function request(
  url: string,
  options: RequestOptions,
  network: Network = {},
): Promise<Dispatcher.ResponseData<unknown>> {
  const dispatcher = await dispatcherFor(network);
  return (await loadUndici()).request(url, { ...options, dispatcher });
}

export interface FetchInit {
  method?: string;
  headers?: Headers | Record<string, string>;
  signal?: AbortSignal;
  redirect?: 'manual' | 'follow' | 'error';
}

/** undici's `fetch` over the same dispatcher, for libraries that take one (jose's JWKS). */
export function fetchVia(network: Network): (url: string, init: FetchInit) => Promise<Response> {
  return async (url, init) => {
    const dispatcher = await dispatcherFor(network);
    const { fetch: undiciFetch } = await loadUndici();
    const headers = Object.fromEntries(new Headers(init.headers ?? {}).entries());
    const response = await undiciFetch(url, { ...init, headers, dispatcher });
    return response as unknown as Response;
  };
}

/** TLS failures, by the code Node gives them: the chain, the name, the dates. */
const TLS_PROBLEMS: Record<string, string> = {
  UNABLE_TO_VERIFY_LEAF_SIGNATURE:
    'TLS certificate chain does not verify against the trusted CAs (E2E_CA_CERT)',
  UNABLE_TO_GET_ISSUER_CERT: 'TLS certificate chain does not verify: its issuer is not trusted (E2E_CA_CERT)',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    'TLS certificate chain does not verify: its issuer is not trusted (E2E_CA_CERT)',
  SELF_SIGNED_CERT_IN_CHAIN: 'TLS certificate chain ends in a CA that is not trusted (E2E_CA_CERT)',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'TLS certificate is self-signed and not trusted (E2E_CA_CERT)',
  CERT_HAS_EXPIRED: 'TLS certificate expired',
  CERT_NOT_YET_VALID: 'TLS certificate is not yet valid',
  ERR_TLS_CERT_ALTNAME_INVALID: 'TLS certificate does not name this host',
  CERT_SIGNATURE_FAILURE: 'TLS certificate signature does not verify',
};

/** Network failures worth naming: what a person would check first, with the error's code. */
export function describeNetworkError(error: unknown, timeoutMs: number): string {
  const err = error as {
    name?: string;
    code?: string;
    message?: string;
    cause?: { code?: string; message?: string };
  };
  if (err.name === 'TimeoutError' || err.name === 'AbortError') return `no answer within ${timeoutMs} ms`;
  const code = networkErrorCode(error);
  const tls = code ? TLS_PROBLEMS[code] : undefined;
  if (tls) return `${tls} [${code}: ${err.message ?? err.cause?.message ?? ''}]`;
  const words: Record<string, string> = {
    ECONNREFUSED: 'connection refused (nothing listening)',
    ENOTFOUND: 'host name not found (DNS)',
    EAI_AGAIN: 'DNS lookup failed',
    ECONNRESET: 'connection reset',
    UND_ERR_CONNECT_TIMEOUT: 'connect timed out',
    UND_ERR_HEADERS_TIMEOUT: `no answer within ${timeoutMs} ms`,
  };
  return (code && words[code]) ?? `${code ?? err.name ?? 'error'}: ${err.message ?? String(error)}`;
}

/** The error's code (`ECONNREFUSED`, `CERT_HAS_EXPIRED`...), from it or from its cause. */
export function networkErrorCode(error: unknown): string {
  const err = error as { code?: string; cause?: { code?: string } };
  return err.code ?? err.cause?.code ?? '';
}
