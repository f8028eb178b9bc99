/**
 * The negative control of the auth spec's own socket: the contract deployment reads
 * `jwt.<token>`, and this profile's dialect presents the token as netra does,
 * `jwt.<base64url(token)>`. Every bad credential is then refused, and so is the user's valid
 * token: only the valid-token control can tell that the refusals proved nothing, and, since the
 * same token presented as the built-in contract dialect presents it is accepted, that the cause
 * is the presentation (PROTOCOL_MISMATCH).
 */
import { netraDialect } from '../../../harness/dialects/netra.ts';
import { defineProfile } from '../../../harness/profile.ts';

export default defineProfile({
  extends: 'contract',
  dialect: { tokenProtocol: netraDialect.tokenProtocol },
});
