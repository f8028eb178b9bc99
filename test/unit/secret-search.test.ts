/**
 * The secret scan's own search (test/support/secret-search.ts), shown to find a token hidden
 * each way an artifact can hide one, and shown to share no code with the scrubber it checks.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { zipSync } from 'fflate';
import { needlesFor, SecretSearch } from '../support/secret-search.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

const b64url = (text: string | Buffer) => Buffer.from(text).toString('base64url');
/** A JWT-shaped canary: fixed, so every alignment below is the same on every run. */
const TOKEN = [
  b64url(JSON.stringify({ alg: 'ES256', typ: 'JWT', kid: 'canary-key' })),
  b64url(JSON.stringify({ sub: 'usr_canary', email: 'canary@example.test', exp: 4_102_444_800 })),
  b64url(createHash('sha512').update('canary signature').digest()),
].join('.');
const SIGNATURE = TOKEN.split('.')[2] ?? '';
/**
 * A password with the characters URL- and JSON-encoding change, and `?~>`: only bytes ending in
 * five or six one bits give base64's `+` and `/`, which base64url writes `-` and `_`. A JWT has
 * none, so its base64url form is its base64 form; this password's differ at every alignment.
 */
const PASSWORD = 'pa ss/w+rd="q"&x\\1?~>';

const all = [...needlesFor('token', TOKEN), ...needlesFor('password', PASSWORD)];
const plainOnly = all.filter((needle) => needle.form === 'plain');
const formsOnly = new SecretSearch(all, { decode: false });
const containersOnly = new SecretSearch(plainOnly);

const found = (search: SecretSearch, bytes: Uint8Array | string) =>
  search.bytes(typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes, 'canary').findings;
const formsFound = (search: SecretSearch, bytes: Uint8Array | string) =>
  [...new Set(found(search, bytes).map((finding) => `${finding.label} ${finding.form}`))].sort();
/** `filler` bytes, then the token, then more filler: the token at that offset in a longer stream. */
const tokenAt = (offset: number) =>
  Buffer.concat([
    Buffer.from('{"x":"'.repeat(3).slice(0, offset + 6)),
    Buffer.from(TOKEN),
    Buffer.from('"} and more text after it'),
  ]);

describe('the forms of a secret, each found on its own (no decoding)', () => {
  test('plain (a JWT holds its signature, so that is found too)', () =>
    assert.deepEqual(formsFound(formsOnly, `Bearer ${TOKEN}\n`), ['token jwt-signature', 'token plain']));

  test('URL-encoded and JSON-escaped', () => {
    assert.deepEqual(formsFound(formsOnly, `?password=${encodeURIComponent(PASSWORD)}&next=/`), [
      'password url-encoded',
    ]);
    assert.deepEqual(formsFound(formsOnly, JSON.stringify({ password: PASSWORD })), [
      'password json-escaped',
    ]);
  });

  for (const [alphabet, label, secret] of [
    ['base64', 'token', TOKEN],
    ['base64url', 'password', PASSWORD],
  ] as const) {
    for (const offset of [0, 1, 2]) {
      test(`${alphabet} at byte offset ${offset} (mod 3) inside a longer encoded stream`, () => {
        const stream = Buffer.concat([
          Buffer.alloc(offset + 3, 0xfb),
          Buffer.from(secret),
          Buffer.alloc(5, 0xfe),
        ]);
        const forms = formsFound(formsOnly, `data=${stream.toString(alphabet)};`);
        assert.ok(forms.includes(`${label} ${alphabet}@${offset}`), forms.join(', '));
      });
    }
  }

  test("the password's base64 and base64url forms differ at every alignment (each is its own)", () => {
    for (const offset of [0, 1, 2]) {
      const form = (alphabet: string) =>
        all.find((needle) => needle.label === 'password' && needle.form === `${alphabet}@${offset}`)?.text;
      assert.ok(form('base64url') && form('base64') !== form('base64url'), `offset ${offset}`);
    }
  });

  test("a JWT's signature alone", () => {
    assert.deepEqual(formsFound(formsOnly, `{"sig":"${SIGNATURE}"}`), ['token jwt-signature']);
  });

  test('nothing in text without the secret, nor in a near miss', () => {
    const nearMiss = `${TOKEN.slice(0, 40)}X${TOKEN.slice(41, -1)}`;
    assert.deepEqual(found(formsOnly, `Bearer ${nearMiss.slice(0, 200)}, ${TOKEN.slice(0, 11)}`), []);
    assert.deepEqual(found(new SecretSearch(all), readFileSync(path.join(ROOT, 'package.json'))), []);
  });
});

describe('the containers a secret can hide in, each opened (plain form only)', () => {
  const base64 = (bytes: Uint8Array | string) => Buffer.from(bytes).toString('base64');

  test('a zip member, and a gzip stream', () => {
    assert.deepEqual(formsFound(containersOnly, zipSync({ 'trace/0.network': tokenAt(1) })), ['token plain']);
    assert.deepEqual(formsFound(containersOnly, gzipSync(tokenAt(2))), ['token plain']);
  });

  for (const lead of ['', 'A', 'Ab', 'Abc']) {
    for (const offset of [0, 1, 2]) {
      test(`a base64 blob starting ${lead.length} character(s) into a run, the token ${offset} bytes into it`, () => {
        const text = `var data = "${lead}${base64(tokenAt(offset))}";`;
        assert.deepEqual(formsFound(containersOnly, text), ['token plain']);
      });
    }
  }

  test('a line-wrapped base64 blob', () => {
    const wrapped = base64(tokenAt(1)).replace(/(.{76})/g, '$1\r\n');
    assert.deepEqual(formsFound(containersOnly, `-----\r\n${wrapped}\r\n-----`), ['token plain']);
  });

  test("the HTML report's embedded zip", () => {
    const zip = zipSync({
      'report.json': Buffer.from(JSON.stringify({ steps: [{ title: `goto /callback#token=${TOKEN}` }] })),
    });
    const html = `<script>window.playwrightReportBase64 = "data:application/zip;base64,${base64(zip)}";</script>`;
    const report = containersOnly.bytes(Buffer.from(html), 'index.html');
    assert.deepEqual(
      report.findings.map((finding) => finding.form),
      ['plain'],
    );
    assert.match(report.findings[0]?.where ?? '', /^index\.html!base64@\d+!report\.json$/);
  });

  test("the single-file Allure report's inlined data", () => {
    const data = JSON.stringify({ name: 'golden path', attachments: [{ source: `Bearer ${TOKEN}` }] });
    const html = `<script>d("data/test-results/1.json","${base64(data)}");d("x","${base64('other')}")</script>`;
    assert.deepEqual(formsFound(containersOnly, html), ['token plain']);
  });

  test('percent-encoded and backslash-escaped text, and a blob inside them', () => {
    assert.deepEqual(formsFound(containersOnly, `next=${encodeURIComponent(`?t=${TOKEN}/`)}`), [
      'token plain',
    ]);
    const escaped = base64(tokenAt(2)).replace(/\//g, '\\/').replace(/\+/g, '\\u002B');
    assert.deepEqual(formsFound(containersOnly, `{"blob":"${escaped}"}`), ['token plain']);
    assert.deepEqual(formsFound(containersOnly, `u=${encodeURIComponent(base64(tokenAt(0)))}`), [
      'token plain',
    ]);
  });

  test('containers nested in containers: a gzip in a zip in base64 in a zip', () => {
    const inner = zipSync({ 'page.html': gzipSync(Buffer.from(`<a href="/cb?token=${TOKEN}">`)) });
    const outer = zipSync({ 'index.html': Buffer.from(`data:application/zip;base64,${base64(inner)}`) });
    const report = containersOnly.bytes(outer, 'blob.zip');
    assert.deepEqual(
      report.findings.map((finding) => finding.where),
      ['blob.zip!index.html!base64@28!page.html!gunzip'],
    );
  });

  test('a container that announces itself but does not open is a problem, not a pass', () => {
    const broken = Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(64, 7)]);
    assert.equal(containersOnly.bytes(broken, 'broken.zip').problems.length, 1);
    const truncated = gzipSync(tokenAt(0)).subarray(0, 20);
    assert.equal(containersOnly.bytes(truncated, 'cut.gz').problems.length, 1);
  });
});

describe('a folder', () => {
  test('every file is searched but those under the excluded folders, and each finding names its file', () => {
    const root = mkdtempSync(path.join(tmpdir(), 'gp-secret-search-'));
    mkdirSync(path.join(root, 'state', 'tokens'), { recursive: true });
    mkdirSync(path.join(root, 'report', 'data'), { recursive: true });
    writeFileSync(path.join(root, 'state', 'tokens', 'alice.json'), JSON.stringify({ accessToken: TOKEN }));
    writeFileSync(path.join(root, 'report', 'data', 'trace.zip'), zipSync({ 'a.trace': Buffer.from(TOKEN) }));
    writeFileSync(path.join(root, 'report', 'index.html'), '<html>nothing here</html>');
    const report = new SecretSearch(all).tree(root, [path.join(root, 'state', 'tokens')]);
    assert.equal(report.files, 2);
    const where = `${path.join(root, 'report', 'data', 'trace.zip')}!a.trace`;
    assert.deepEqual(report.findings, [
      { where, label: 'token', form: 'plain' },
      { where, label: 'token', form: 'jwt-signature' },
    ]);
  });
});

/** The project modules `file` loads at run time, itself included (`import type` loads nothing). */
function closure(file: string, seen = new Set<string>()): Set<string> {
  if (seen.has(file)) return seen;
  seen.add(file);
  const source = readFileSync(file, 'utf8');
  for (const match of source.matchAll(
    /^\s*(import|export)\s+(type\s+)?(?:[^'";]*?\sfrom\s+)?['"](\.{1,2}\/[^'"]+)['"]/gm,
  )) {
    if (match[2]) continue;
    closure(path.resolve(path.dirname(file), match[3] ?? ''), seen);
  }
  return seen;
}

describe('independence from the scrubber', () => {
  test('the secret scan loads no module the scrubber loads', () => {
    const scrubber = new Set([
      ...closure(path.join(ROOT, 'reporters', 'scrub-secrets.ts')),
      ...closure(path.join(ROOT, 'harness', 'secret-registry.ts')),
    ]);
    // Not vacuous: the scrubber's own helpers are seen.
    assert.ok(scrubber.has(path.join(ROOT, 'harness', 'artifacts.ts')), [...scrubber].join('\n'));
    const scan = new Set([
      ...closure(path.join(ROOT, 'test', 'selftest', 'secret-scan.test.ts')),
      ...closure(path.join(ROOT, 'test', 'support', 'secret-search.ts')),
      ...closure(path.join(ROOT, 'test', 'support', 'run-secrets.ts')),
    ]);
    assert.ok(scan.has(path.join(ROOT, 'test', 'support', 'secret-search.ts')));
    const shared = [...scan].filter((file) => scrubber.has(file)).map((file) => path.relative(ROOT, file));
    assert.deepEqual(shared, []);
  });
});
