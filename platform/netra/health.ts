/** netra's backend health answers (docs/netra.md §2): `/api/health` says `ok`, `/health` `healthy` with a float timestamp. */

export function netraBackendHealth(path: string): { body: unknown } {
  if (path === '/api/health') return { body: { status: 'ok' } };
  return {
    body: { status: 'healthy', service: 'netra-ai-platform', version: '1.0.0', timestamp: Date.now() / 1000 },
  };
}
