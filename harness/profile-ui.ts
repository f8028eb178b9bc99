/**
 * The UI part of a profile: paths and Playwright locators, as functions of the page so any
 * selector Playwright supports can be used. The page objects take every locator from here and
 * know nothing else about the frontend.
 */
import type { Locator, Page } from '@playwright/test';

export type LocatorOf = (page: Page) => Locator;

export interface UiProfile {
  /** `password` (the login form, when E2E_USER_PASSWORD is set) or `callback` (token hand-off). */
  signIn: 'password' | 'callback';
  loginPath: string;
  callbackPath: string;
  callbackParam: string;
  chatPath: string;
  currentUser: LocatorOf;
  messageInput: LocatorOf;
  sendButton: LocatorOf;
  /** Every rendered agent event; `eventTypeAttribute` names its type. */
  agentEvents: LocatorOf;
  eventTypeAttribute: string;
  answer: LocatorOf;
  loginAlert: LocatorOf;
  /** The password form, for `signIn: 'password'`. */
  emailInput: LocatorOf;
  passwordInput: LocatorOf;
  signInButton: LocatorOf;
}

const isPath = (value: unknown) => typeof value === 'string' && value.startsWith('/');
const isFunction = (value: unknown) => typeof value === 'function';

/** What each field accepts, for a profile's checking. */
export const UI_FIELDS: Record<keyof UiProfile, { accepts: (value: unknown) => boolean; what: string }> = {
  signIn: {
    accepts: (value) => value === 'password' || value === 'callback',
    what: '"password" or "callback"',
  },
  loginPath: { accepts: isPath, what: 'a path starting with /' },
  callbackPath: { accepts: isPath, what: 'a path starting with /' },
  callbackParam: {
    accepts: (value) => typeof value === 'string' && value !== '',
    what: 'a query parameter name',
  },
  chatPath: { accepts: isPath, what: 'a path starting with /' },
  currentUser: { accepts: isFunction, what: 'a function (page) => Locator' },
  messageInput: { accepts: isFunction, what: 'a function (page) => Locator' },
  sendButton: { accepts: isFunction, what: 'a function (page) => Locator' },
  agentEvents: { accepts: isFunction, what: 'a function (page) => Locator' },
  eventTypeAttribute: {
    accepts: (value) => typeof value === 'string' && value !== '',
    what: 'an attribute name',
  },
  answer: { accepts: isFunction, what: 'a function (page) => Locator' },
  loginAlert: { accepts: isFunction, what: 'a function (page) => Locator' },
  emailInput: { accepts: isFunction, what: 'a function (page) => Locator' },
  passwordInput: { accepts: isFunction, what: 'a function (page) => Locator' },
  signInButton: { accepts: isFunction, what: 'a function (page) => Locator' },
};

const contract: UiProfile = {
  signIn: 'password',
  loginPath: '/login',
  callbackPath: '/auth/callback',
  callbackParam: 'token',
  chatPath: '/chat',
  currentUser: (page) => page.getByTestId('current-user'),
  messageInput: (page) => page.getByLabel('Message'),
  sendButton: (page) => page.getByRole('button', { name: 'Send' }),
  agentEvents: (page) => page.getByTestId('agent-event'),
  eventTypeAttribute: 'data-event-type',
  answer: (page) => page.getByTestId('agent-response'),
  loginAlert: (page) => page.getByRole('alert'),
  emailInput: (page) => page.getByLabel('Email'),
  passwordInput: (page) => page.getByLabel('Password'),
  signInButton: (page) => page.getByRole('button', { name: 'Sign in' }),
};

/**
 * netra-systems/zen's frontend (docs/netra.md, "UI"): sign-in by the callback, its paths, and the
 * input and button by their labels. zen's source shows no test id for the signed-in user, the
 * agent events, the answer or the login error: those are the bundled platform's netra pages' own,
 * and a deployment's profile supplies its own (profiles/netra-local.ts spells them out).
 */
const netra: UiProfile = {
  ...contract,
  signIn: 'callback',
  chatPath: '/chat',
  currentUser: (page) => page.getByTestId('user-email'),
  messageInput: (page) => page.getByLabel('Message input'),
  sendButton: (page) => page.getByRole('button', { name: 'Send message' }),
  agentEvents: (page) => page.getByTestId('agent-activity-item'),
  eventTypeAttribute: 'data-event-type',
  answer: (page) => page.getByTestId('ai-message'),
  loginAlert: (page) => page.getByTestId('login-error'),
};

export const BUILT_IN_UI: Record<'contract' | 'netra', UiProfile> = { contract, netra };
