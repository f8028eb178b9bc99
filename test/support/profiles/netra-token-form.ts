/**
 * The negative control of the auth spec's own socket: the contract deployment reads
 * `jwt.<token>`, and this profile's dialect presents the token as netra does,
 * `jwt.<base64url(token)>`. Every bad credential is then refused, and so is the user's valid
 * token: only the valid-token control can tell that the refusals proved nothing.
 */
import { netraDialect } from '../../../harness/dialects/netra.ts';
import { defineProfile } from '../../../harness/profile.ts';

export default defineProfile({
  extends: 'contract',
  dialect: { tokenProtocol: netraDialect.tokenProtocol },
});
