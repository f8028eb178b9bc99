/**
 * Judging what the sign-in page did: reached the chat, or said why not; and, with a refused
 * credential, sent the user back to sign in (saying why) rather than leaving a dead chat. Pure:
 * the login page object (fixtures/pages/login-page.ts) only reports what it saw.
 */
import type { Failure } from './page-error-precedence.ts';

/** What the page showed after a sign-in, whichever came first. */
export type SignInSeen = { how: string; path: string; waitedMs: number } & (
  | { shown: 'chat' }
  | { shown: 'alert'; text: string }
  | { shown: 'nothing' }
);

/** LOGIN_FAILED unless the chat came first. */
export function signInFailure(seen: SignInSeen): Failure | undefined {
  switch (seen.shown) {
    case 'chat':
      return undefined;
    case 'alert':
      return { code: 'LOGIN_FAILED', summary: `${seen.how}: the page said "${seen.text}" at ${seen.path}` };
    default:
      return {
        code: 'LOGIN_FAILED',
        summary: `${seen.how}: neither the chat nor an alert appeared within ${seen.waitedMs} ms; the page is at ${seen.path}`,
      };
  }
}

/** Where the page went after the chat was opened with a credential it must refuse (or none). */
export interface SentBackSeen {
  /** The page navigated to the sign-in page. */
  sentBack: boolean;
  /** A token was handed over, so the page owes the user a reason. */
  reasonDue: boolean;
  /** An alert with text showed on the sign-in page (looked for only when a reason was due). */
  reasonShown: boolean;
  path: string;
  waitedMs: number;
}

/** UI_NOT_RENDERED unless the page went back to sign in and, when a reason was due, gave it. */
export function sentBackFailure(why: string, seen: SentBackSeen): Failure | undefined {
  if (seen.sentBack && (seen.reasonShown || !seen.reasonDue)) return undefined;
  return {
    code: 'UI_NOT_RENDERED',
    summary: `${why}: the page should send the user back to sign in${seen.reasonDue ? ' and say why' : ''}; it is at ${seen.path} after ${seen.waitedMs} ms`,
  };
}
