/**
 * The bundled reference platform run with PLATFORM_DIALECT=netra: `E2E_PROFILE=profiles/netra-local.ts`.
 * It speaks netra on the wire and signs HS256 tokens (E2E_JWT_SECRET is its PLATFORM_JWT_SECRET).
 * netra's own source names no test id for the signed-in user, the agent events, the answer or the
 * login error, so a deployment spells them out: these are the reference platform's netra pages'.
 */
import { defineProfile } from '../harness/profile.ts';

export default defineProfile({
  extends: 'netra',
  ui: {
    currentUser: (page) => page.getByTestId('user-email'),
    agentEvents: (page) => page.getByTestId('agent-activity-item'),
    eventTypeAttribute: 'data-event-type',
    answer: (page) => page.getByTestId('ai-message'),
    loginAlert: (page) => page.getByTestId('login-error'),
  },
});
