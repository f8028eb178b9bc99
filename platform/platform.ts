/**
 * Starts the services this process runs, in order auth → backend → frontend, wiring each to
 * the real bound URL of the ones started before it (services elsewhere come from the config).
 */

import { createAuthService } from './auth-service.ts';
import { createBackendService } from './backend-service.ts';
import { type PlatformConfig, presenceUrlFor } from './config.ts';
import { createFrontendService } from './frontend-service.ts';
import { type Listener, openListener } from './http-util.ts';

/** The ready line's payload: only keys for services in this process. */
export interface PlatformUrls {
  auth?: string;
  api?: string;
  ws?: string;
  frontend?: string;
}

export interface RunningPlatform {
  urls: PlatformUrls;
  close(): Promise<void>;
}

/**
 * Each service listens on its own port, or, with PLATFORM_ONE_ORIGIN, all of this process's
 * services share PLATFORM_API_PORT; either way each is mounted under its prefix, and its URLs
 * carry it (`https://127.0.0.1:P/identity`).
 */
export async function startPlatform(config: PlatformConfig): Promise<RunningPlatform> {
  const listeners: Listener[] = [];
  let shared: Listener | undefined;
  const urls: PlatformUrls = {};
  const close = async () => {
    for (const listener of [...listeners].reverse()) await listener.close();
  };
  const listenerFor = async (port: number): Promise<Listener> => {
    if (config.oneOrigin && shared) return shared;
    const listener = await openListener(config.host, config.oneOrigin ? config.ports.api : port, config.tls);
    listeners.push(listener);
    if (config.oneOrigin) shared = listener;
    return listener;
  };
  try {
    const runs = (name: string) => config.services.includes(name as PlatformConfig['services'][number]);
    const { prefixes } = config;
    let authUrl = config.urls.auth;
    let wsUrl = config.urls.ws;
    if (runs('auth')) {
      const listener = await listenerFor(config.ports.auth);
      authUrl = listener.origin + prefixes.auth;
      urls.auth = authUrl;
      listener.mount(prefixes.auth, await createAuthService(config, authUrl));
    }
    if (runs('backend')) {
      const listener = await listenerFor(config.ports.api);
      const url = listener.origin + prefixes.api;
      wsUrl = `${listener.wsOrigin}${prefixes.api}/ws`;
      urls.api = url;
      urls.ws = wsUrl;
      listener.mount(prefixes.api, createBackendService(config, { url, wsUrl, authUrl }));
    }
    if (runs('frontend')) {
      const listener = await listenerFor(config.ports.frontend);
      const url = listener.origin + prefixes.frontend;
      urls.frontend = url;
      const links = { basePath: prefixes.frontend, authUrl, wsUrl, presenceUrl: presenceUrlFor(wsUrl) };
      listener.mount(prefixes.frontend, createFrontendService(config, url, links));
    }
  } catch (err) {
    await close();
    throw err;
  }
  return { urls, close };
}

export function readyLine(urls: PlatformUrls): string {
  const ordered: PlatformUrls = {};
  if (urls.auth !== undefined) ordered.auth = urls.auth;
  if (urls.api !== undefined) ordered.api = urls.api;
  if (urls.ws !== undefined) ordered.ws = urls.ws;
  if (urls.frontend !== undefined) ordered.frontend = urls.frontend;
  return `PLATFORM_READY ${JSON.stringify(ordered)}`;
}
