/**
 * The contract's wire dialect on a netra deployment, for the PROTOCOL_MISMATCH self-test:
 * everything else is netra's (HS256 tokens, the callback sign-in, the pages of the reference
 * platform, the health words), so the run gets as far as the socket and only the frames differ.
 */
import { contractDialect } from '../../../harness/dialects/contract.ts';
import { netraDialect } from '../../../harness/dialects/netra.ts';
import { defineProfile } from '../../../harness/profile.ts';
import netraLocal from '../../../profiles/netra-local.ts';

export default defineProfile({
  extends: 'netra',
  dialect: { ...contractDialect, health: netraDialect.health },
  ...(netraLocal.ui ? { ui: netraLocal.ui } : {}),
});
