/**
 * The deployment shapes of a whole platform process, switchable at run time like its fault, so
 * one platform can serve several shapes' runs in turn. Every service reads `config.frontendShapes`
 * and `config.backendShapes` at request or connection time, so changing them here is enough.
 * (The volume shape is fixed at start: it sizes what the platform allocates.)
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { PlatformConfig } from './config.ts';
import { BACKEND_SHAPES, FRONTEND_SHAPES } from './deployment-shapes.ts';
import { sendJson } from './http-util.ts';
import type { Logger } from './log.ts';

type Parsed<T> = { names: T[] } | { error: string };

/** `a,b` as names of `valid`; absent leaves the current list. */
function namesOf<T extends string>(
  raw: string | null,
  param: string,
  valid: readonly T[],
): Parsed<T> | undefined {
  if (raw === null) return undefined;
  const names = raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '' && s !== 'none');
  const unknown = names.filter((name) => !(valid as readonly string[]).includes(name));
  if (unknown.length > 0)
    return {
      error: `unknown ${param} shape "${unknown.join(', ')}": pass ?${param}=<none|${valid.join('|')},...>`,
    };
  return { names: names as T[] };
}

/**
 * `GET` answers the current shapes; `POST ?frontend=<names|none>&backend=<names|none>` replaces
 * the lists it names. Both answer `{frontend, backend}`.
 */
export function handleShapeRoute(
  req: IncomingMessage,
  res: ServerResponse,
  config: PlatformConfig,
  log: Logger,
): void {
  if (req.method === 'POST') {
    const params = new URL(req.url ?? '/', 'http://platform').searchParams;
    const frontend = namesOf(params.get('frontend'), 'frontend', FRONTEND_SHAPES);
    const backend = namesOf(params.get('backend'), 'backend', BACKEND_SHAPES);
    for (const parsed of [frontend, backend]) {
      if (parsed && 'error' in parsed) {
        sendJson(res, 400, { detail: parsed.error });
        return;
      }
    }
    if (frontend && 'names' in frontend) config.frontendShapes = frontend.names;
    if (backend && 'names' in backend) config.backendShapes = backend.names;
    log(
      `shapes switched to frontend [${config.frontendShapes.join(', ')}], backend [${config.backendShapes.join(', ')}]`,
    );
  }
  sendJson(res, 200, { frontend: config.frontendShapes, backend: config.backendShapes });
}
