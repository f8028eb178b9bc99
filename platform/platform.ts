/**
 * Starts the services this process runs, in order auth → backend → frontend, wiring each to
 * the real bound URL of the ones started before it (services elsewhere come from the config).
 */

import { startAuthService } from './auth-service.ts';
import { startBackendService } from './backend-service.ts';
import { type PlatformConfig, presenceUrlFor } from './config.ts';
import { startFrontendService } from './frontend-service.ts';
import type { RunningService } from './http-util.ts';

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

export async function startPlatform(config: PlatformConfig): Promise<RunningPlatform> {
  const started: RunningService[] = [];
  const urls: PlatformUrls = {};
  const close = async () => {
    for (const service of [...started].reverse()) await service.close();
  };
  try {
    const runs = (name: string) => config.services.includes(name as PlatformConfig['services'][number]);
    let authUrl = config.urls.auth;
    let wsUrl = config.urls.ws;
    if (runs('auth')) {
      const auth = await startAuthService(config, config.ports.auth);
      started.push(auth);
      authUrl = urls.auth = auth.url;
    }
    if (runs('backend')) {
      const backend = await startBackendService(config, config.ports.api, authUrl);
      started.push(backend);
      urls.api = backend.url;
      wsUrl = urls.ws = backend.wsUrl;
    }
    if (runs('frontend')) {
      const frontend = await startFrontendService(config, config.ports.frontend, {
        authUrl,
        wsUrl,
        presenceUrl: presenceUrlFor(wsUrl),
      });
      started.push(frontend);
      urls.frontend = frontend.url;
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
