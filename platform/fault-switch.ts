/**
 * The fault of a whole platform process, switchable at run time so one platform can serve many
 * fault-matrix rows in turn. All services of a process share one config object, so the switch
 * lives on it: `config.fault` is the current fault, read by each service at request,
 * connection or run time, and this module changes it and tells whoever must react at once
 * (the frontend stops or resumes listening for `frontend-down`).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { PlatformConfig } from './config.ts';
import { FAULT_NAMES, type FaultName, isFaultName } from './faults.ts';
import { sendJson } from './http-util.ts';
import type { Logger } from './log.ts';

type Listener = (fault: FaultName | undefined) => void;

const listeners = new WeakMap<PlatformConfig, Listener[]>();

/** Called after every switch of this process's fault (not for the fault it started with). */
export function onFaultChange(config: PlatformConfig, listener: Listener): void {
  listeners.set(config, [...(listeners.get(config) ?? []), listener]);
}

export function switchFault(config: PlatformConfig, fault: FaultName | undefined): void {
  config.fault = fault;
  for (const listener of listeners.get(config) ?? []) listener(fault);
}

/** `GET` answers the current fault; `POST ?name=<fault|none>` switches it. Both answer `{fault}`. */
export function handleFaultRoute(
  req: IncomingMessage,
  res: ServerResponse,
  config: PlatformConfig,
  log: Logger,
): void {
  if (req.method === 'POST') {
    const name = (new URL(req.url ?? '/', 'http://platform').searchParams.get('name') ?? '').trim();
    if (name !== 'none' && !isFaultName(name)) {
      const valid = ['none', ...FAULT_NAMES];
      sendJson(res, 400, {
        detail: `unknown fault "${name}": pass ?name=<fault>, one of ${valid.join(', ')}`,
        valid,
      });
      return;
    }
    switchFault(config, name === 'none' ? undefined : name);
    log(`fault switched to ${name}`);
  }
  sendJson(res, 200, { fault: config.fault ?? 'none' });
}
