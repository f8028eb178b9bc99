/** The optional `expires_in` a test-auth request may ask for (reference-only extension). */

const MIN_REQUESTED_TTL_S = -365 * 24 * 3600;
const MAX_REQUESTED_TTL_S = 7 * 24 * 3600;

/** The lifetime to mint with: the asked one, the default, or an error text for a 400. */
export function requestedTtl(asked: unknown, fallbackS: number): { ttlS: number } | { error: string } {
  if (asked === undefined) return { ttlS: fallbackS };
  if (
    typeof asked !== 'number' ||
    !Number.isInteger(asked) ||
    asked < MIN_REQUESTED_TTL_S ||
    asked > MAX_REQUESTED_TTL_S
  ) {
    return {
      error: `expires_in must be an integer between ${MIN_REQUESTED_TTL_S} and ${MAX_REQUESTED_TTL_S}`,
    };
  }
  return { ttlS: asked };
}
