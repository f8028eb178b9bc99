/**
 * The auth service's key material: two published key pairs (a "previous" and a "current" one,
 * as during a rotation; tokens are signed with the current one, so verifiers must pick by kid)
 * and a third "foreign" pair that is never published (used by the foreign-signing-key fault).
 */
import { randomBytes } from 'node:crypto';
import { type CryptoKey, exportJWK, generateKeyPair, type JWK } from 'jose';
import type { JwtAlg } from './config.ts';

export interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
}

export interface SigningKeys {
  alg: JwtAlg;
  jwks: { keys: JWK[] };
  current: SigningKey;
  /** Not in the JWKS; signs with the current kid so signature verification fails. */
  foreign: SigningKey;
}

async function makePair(alg: JwtAlg, label: string) {
  const pair = await generateKeyPair(alg, { extractable: true });
  const kid = `ref-${alg.toLowerCase()}-${label}-${randomBytes(4).toString('hex')}`;
  return { kid, pair };
}

export async function createSigningKeys(alg: JwtAlg): Promise<SigningKeys> {
  const previous = await makePair(alg, 'previous');
  const current = await makePair(alg, 'current');
  const foreign = await makePair(alg, 'foreign');
  const publish = async (entry: typeof previous): Promise<JWK> => ({
    ...(await exportJWK(entry.pair.publicKey)),
    kid: entry.kid,
    alg,
    use: 'sig',
  });
  return {
    alg,
    jwks: { keys: [await publish(previous), await publish(current)] },
    current: { kid: current.kid, privateKey: current.pair.privateKey },
    foreign: { kid: current.kid, privateKey: foreign.pair.privateKey },
  };
}
