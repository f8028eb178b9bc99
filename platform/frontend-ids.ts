/**
 * `PLATFORM_FRONTEND_IDS=custom`: the same frontend with test ids, labels and paths of its own,
 * the way a real team's frontend differs from the contract's. A harness profile that overrides
 * only `ui` locators and paths must pass against it; the contract's locators must not.
 *
 *   chat  /chat → /workspace        callback  /auth/callback?token= → /auth/return?t=
 *   current-user → whoami           agent-event → activity-item (type in data-kind)
 *   agent-response → assistant-reply    label "Message" → "Your question", button "Send" → "Ask"
 */
export const FRONTEND_ID_SETS = ['contract', 'custom'] as const;
export type FrontendIds = (typeof FRONTEND_ID_SETS)[number];

export function parseFrontendIds(raw: string | undefined): FrontendIds {
  const value = (raw ?? '').trim() || 'contract';
  if (!(FRONTEND_ID_SETS as readonly string[]).includes(value))
    throw new Error(`PLATFORM_FRONTEND_IDS must be ${FRONTEND_ID_SETS.join(' or ')}, got "${value}"`);
  return value as FrontendIds;
}

/** The custom paths, each served by the contract page at the other path. */
const CUSTOM_PATHS: Record<string, string> = { '/workspace': '/chat', '/auth/return': '/auth/callback' };
const MOVED = new Set(Object.values(CUSTOM_PATHS));

/** The contract page a request path serves, or undefined when this frontend has no such page. */
export function servedPath(path: string, ids: FrontendIds): string | undefined {
  if (ids === 'contract') return path;
  if (MOVED.has(path)) return undefined;
  return CUSTOM_PATHS[path] ?? path;
}

export const chatPathOf = (ids: FrontendIds) => (ids === 'custom' ? '/workspace' : '/chat');

/**
 * Each page file's edits. An edit is a list of alternatives, [contract text, custom text]: every
 * one the file contains applies, and at least one must (the pages are written more than one way:
 * a document per page, or views a client-side router mounts).
 */
const EDITS: Record<string, readonly (readonly (readonly [string, string])[])[]> = {
  'chat.html': [
    [['data-testid="current-user"', 'data-testid="whoami"']],
    [['<label for="message">Message</label>', '<label for="message">Your question</label>']],
    [['disabled>Send</button>', 'disabled>Ask</button>']],
  ],
  'chat.js': [
    [["item.dataset.testid = 'agent-event'", "item.dataset.testid = 'activity-item'"]],
    [['item.dataset.eventType = frame.type', 'item.dataset.kind = frame.type']],
    [["response.dataset.testid = 'agent-response'", "response.dataset.testid = 'assistant-reply'"]],
  ],
  'login.js': [
    [
      ['/chat`', '/workspace`'],
      ["nav.go('/chat')", "nav.go('/workspace')"],
    ],
  ],
  'nav.js': [[["'/chat': 'chat'", "'/workspace': 'chat'"]]],
  'callback.js': [[[".get('token')", ".get('t')"]], [['/chat`', '/workspace`']]],
};

/** A page file as this frontend serves it. An edit that no longer applies stops the platform. */
export function withFrontendIds(file: string, text: string, ids: FrontendIds): string {
  if (ids === 'contract') return text;
  let result = text;
  for (const alternatives of EDITS[file] ?? []) {
    const found = alternatives.filter(([from]) => result.includes(from));
    if (found.length === 0)
      throw new Error(
        `PLATFORM_FRONTEND_IDS=custom: ${file} contains none of ${alternatives.map(([from]) => JSON.stringify(from)).join(', ')}`,
      );
    for (const [from, to] of found) result = result.replaceAll(from, to);
  }
  return result;
}
