import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type ControlEvidence,
  judgeControl,
  type Presentation,
  presentationShape,
  worthCrossChecking,
} from '../../harness/control-cross-check.ts';
import type { WireDialect } from '../../harness/dialect.ts';
import { contractDialect, netraDialect } from '../../harness/dialects/index.ts';
import type { Attempt } from '../../harness/socket-refusal.ts';

const TOKEN = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1MSJ9.c2lnbmF0dXJl';
const B64URL = Buffer.from(TOKEN).toString('base64url');

const accepted: Attempt = { outcome: 'accepted', afterMs: 7, handshake: 'connection_established' };
const upgrade401: Attempt = { outcome: 'refused-at-upgrade', afterMs: 5, status: 401, said: 'HTTP 401' };
const closed1008: Attempt = {
  outcome: 'closed',
  afterMs: 30,
  openedAfterMs: 10,
  code: 1008,
  reason: 'auth failed: token expired',
};
const silent: Attempt = { outcome: 'silent', afterMs: 4000, opened: true };

const asNetra = (attempt: Attempt): Presentation => ({
  dialect: 'netra',
  base: ['jwt-auth'],
  token: 'jwt.<base64url(token)>',
  attempt,
});
const asContract = (attempt: Attempt): Presentation => ({
  dialect: 'contract',
  base: ['jwt-auth'],
  token: 'jwt.<token>',
  attempt,
});
const evidence = (configured: Presentation, ...others: Presentation[]): ControlEvidence => ({
  profile: 'profiles/netra-wire.ts',
  configured,
  others,
});

const MISMATCH = 'PROTOCOL_MISMATCH';

describe('judgeControl: the valid-token control, cross-checked; never a mismatch when accepted as configured', () => {
  // [what happened, the evidence, the verdict's cause (undefined: accepted)]
  const table: [string, ControlEvidence, string | undefined][] = [
    ['accepted as configured: no cross-check', evidence(asNetra(accepted)), undefined],
    ['accepted as configured and as another', evidence(asNetra(accepted), asContract(accepted)), undefined],
    [
      'refused as configured, accepted as another',
      evidence(asNetra(upgrade401), asContract(accepted)),
      MISMATCH,
    ],
    ['silent as configured, accepted as another', evidence(asContract(silent), asNetra(accepted)), MISMATCH],
    ['refused in every form', evidence(asContract(closed1008), asNetra(upgrade401)), 'WS_AUTH_REJECTED'],
    ['silent in every form', evidence(asContract(silent), asNetra(silent)), 'WS_HANDSHAKE_TIMEOUT'],
    ['refused, nothing else to try', evidence(asContract(upgrade401)), 'WS_AUTH_REJECTED'],
  ];
  for (const [name, given, cause] of table)
    it(`${name}: ${cause ?? 'accepted'}`, () => {
      const verdict = judgeControl(given);
      assert.equal(verdict.cause, cause, verdict.how);
      assert.equal(verdict.accepted, cause === undefined);
    });

  it('the mismatch names both dialects, the profile, both shapes, what the configured got, and the fix', () => {
    const { how } = judgeControl(evidence(asNetra(upgrade401), asContract(accepted)));
    assert.match(
      how,
      /^the configured "netra" dialect presents it as jwt\.<base64url\(token\)> \(besides "jwt-auth"\) \(E2E_PROFILE=profiles\/netra-wire\.ts\): refused at the upgrade \(HTTP 401\) after 5 ms; /,
    );
    assert.match(
      how,
      /the built-in "contract" dialect presents it as jwt\.<token> \(besides "jwt-auth"\), .*accepted: connection_established after 7 ms/,
    );
    assert.match(
      how,
      /set E2E_PROFILE to a profile that extends "contract", or give the profile's dialect a tokenProtocol that presents jwt\.<token> \(README/,
    );
  });

  it('a mismatch of the handshake alone (same presentation) points at the recogniser, not the token', () => {
    const { how } = judgeControl(
      evidence(asContract(silent), { ...asNetra(accepted), token: 'jwt.<token>' }),
    );
    assert.match(how, /opened but closed within 4000 ms/);
    assert.match(how, /the "netra" dialect's handshake recogniser/);
    assert.doesNotMatch(how, /tokenProtocol/);
  });

  it('other base subprotocols are named in the fix too', () => {
    const { how } = judgeControl(
      evidence(asNetra(upgrade401), { ...asContract(accepted), base: ['jwt-auth', 'v2'] }),
    );
    assert.match(how, /a tokenProtocol that presents jwt\.<token> and baseProtocols \["jwt-auth", "v2"\]/);
  });

  it('refused in every form keeps the configured verdict and adds what the others got', () => {
    const alone = judgeControl(evidence(asContract(closed1008)));
    const both = judgeControl(evidence(asContract(closed1008), asNetra(upgrade401)));
    assert.ok(both.how.startsWith(alone.how), both.how);
    assert.match(alone.how, /closed 1008 "auth failed: token expired".*prove nothing.*tokenProtocol/);
    assert.match(
      both.how,
      /the built-in "netra" dialect presents it as jwt\.<base64url\(token\)> \(besides "jwt-auth"\), not accepted either: refused at the upgrade \(HTTP 401\)/,
    );
  });
});

describe('presentationShape: how a dialect presents the token, never the token', () => {
  it("names the token's form in each built-in dialect", () => {
    assert.deepEqual(presentationShape(contractDialect, TOKEN), { base: ['jwt-auth'], token: 'jwt.<token>' });
    assert.deepEqual(presentationShape(netraDialect, TOKEN), {
      base: ['jwt-auth'],
      token: 'jwt.<base64url(token)>',
    });
  });
  it("a form of the dialect's own shows nothing of the token", () => {
    const own: WireDialect = { ...contractDialect, tokenProtocol: (token) => `bearer.${token.slice(0, 12)}` };
    const shape = JSON.stringify(presentationShape(own, TOKEN));
    assert.equal(
      shape,
      JSON.stringify({ base: ['jwt-auth'], token: "<the token, in a form of the dialect's own>" }),
    );
    assert.ok(!shape.includes(TOKEN.slice(0, 12)) && !shape.includes(B64URL.slice(0, 12)));
  });
});

describe('worthCrossChecking: only attempts that can tell something', () => {
  const netraForm: WireDialect = { ...contractDialect, tokenProtocol: netraDialect.tokenProtocol };
  it('another presentation of the token is worth an attempt', () => {
    assert.equal(worthCrossChecking(netraForm, upgrade401, contractDialect, TOKEN), true);
  });
  it('the same subprotocols, refused, would be refused again', () => {
    assert.equal(worthCrossChecking(netraForm, upgrade401, netraDialect, TOKEN), false);
    assert.equal(worthCrossChecking(contractDialect, closed1008, contractDialect, TOKEN), false);
  });
  it('the same subprotocols after silence are worth an attempt only with another handshake recogniser', () => {
    assert.equal(worthCrossChecking(netraForm, silent, netraDialect, TOKEN), true);
    assert.equal(worthCrossChecking(contractDialect, silent, contractDialect, TOKEN), false);
  });
});
