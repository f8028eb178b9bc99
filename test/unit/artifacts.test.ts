import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { unzipSync, zipSync } from 'fflate';
import { contentViews, listFiles, rewriteContent, rewriteFiles } from '../../harness/artifacts.ts';
import { SecretRegistry } from '../../harness/secret-registry.ts';

const SECRET = 'tok-9f8e7d6c5b4a';
const secrets = new SecretRegistry();
secrets.add('access-token', SECRET);
const mask = (text: string) => secrets.mask(text);

const bytes = (text: string) => new TextEncoder().encode(text);
const text = (data: Uint8Array | undefined) => Buffer.from(data ?? new Uint8Array()).toString('latin1');

/** Every byte value, so a rewrite must carry binary content through untouched. */
const BINARY = Uint8Array.from({ length: 256 }, (_, index) => index);

const dirs: string[] = [];
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function html(zip: Uint8Array): Uint8Array {
  const data = Buffer.from(zip).toString('base64');
  return bytes(`<html><script>window.report = "data:application/zip;base64,${data}";</script></html>`);
}

function embeddedZip(page: Uint8Array): Uint8Array {
  const match = /data:application\/zip;base64,([A-Za-z0-9+/=]+)/.exec(text(page));
  assert.ok(match?.[1], 'no embedded zip');
  return Buffer.from(match[1], 'base64');
}

describe('rewriteContent', () => {
  test('plain text: rewritten, or undefined when nothing changed', () => {
    assert.equal(text(rewriteContent(bytes(`Bearer ${SECRET}`), mask)), 'Bearer [redacted:access-token]');
    assert.equal(rewriteContent(bytes('clean'), mask), undefined);
  });

  test('binary bytes around a secret survive unchanged', () => {
    const input = Buffer.concat([Buffer.from(BINARY), Buffer.from(SECRET), Buffer.from(BINARY)]);
    const output = rewriteContent(input, mask);
    assert.ok(output);
    assert.deepEqual(
      Buffer.from(output),
      Buffer.concat([Buffer.from(BINARY), Buffer.from('[redacted:access-token]'), Buffer.from(BINARY)]),
    );
  });

  test('inside a zip: the member is rewritten, other members keep their bytes', () => {
    const zip = zipSync({
      'trace.trace': bytes(`{"type":"frame","data":"jwt.${SECRET}"}`),
      'resources/image.png': BINARY,
    });
    const output = rewriteContent(zip, mask);
    assert.ok(output);
    const members = unzipSync(output);
    assert.equal(text(members['trace.trace']), '{"type":"frame","data":"jwt.[redacted:access-token]"}');
    assert.deepEqual(members['resources/image.png'], BINARY);
    assert.equal(rewriteContent(zipSync({ 'a.txt': bytes('clean') }), mask), undefined);
  });

  test('inside a zip nested in a zip', () => {
    const inner = zipSync({ 'data.json': bytes(`{"token":"${SECRET}"}`) });
    const output = rewriteContent(zipSync({ 'inner.zip': inner }), mask);
    assert.ok(output);
    const nested = unzipSync(unzipSync(output)['inner.zip'] ?? new Uint8Array());
    assert.equal(text(nested['data.json']), '{"token":"[redacted:access-token]"}');
  });

  test('inside a base64 zip embedded in an HTML report', () => {
    const page = html(zipSync({ 'report.json': bytes(`{"stdout":"token ${SECRET}"}`) }));
    const output = rewriteContent(page, mask);
    assert.ok(output);
    assert.ok(text(output).startsWith('<html><script>window.report = "data:application/zip;base64,'));
    const members = unzipSync(embeddedZip(output));
    assert.equal(text(members['report.json']), '{"stdout":"token [redacted:access-token]"}');
    assert.equal(rewriteContent(html(zipSync({ 'report.json': bytes('{}') })), mask), undefined);
  });
});

describe('contentViews', () => {
  test('finds a secret in a zip nested in a zip, naming the path to it', () => {
    const inner = zipSync({ 'trace.network': bytes(`Authorization: Bearer ${SECRET}`) });
    const outer = zipSync({ 'clean.txt': bytes('nothing'), 'attachments/trace.zip': inner });
    const views = contentViews(outer, 'trace.zip');
    const hits = views.filter((view) => view.text.includes(SECRET)).map((view) => view.name);
    assert.deepEqual(hits, ['trace.zip!attachments/trace.zip!trace.network']);
    assert.ok(views.some((view) => view.name === 'trace.zip!clean.txt'));
  });

  test('finds a secret inside the HTML report’s embedded zip, not in the page text', () => {
    const page = html(zipSync({ 'report.json': bytes(`"${SECRET}"`) }));
    assert.ok(!text(page).includes(SECRET));
    const hits = contentViews(page, 'index.html').filter((view) => view.text.includes(SECRET));
    assert.deepEqual(
      hits.map((view) => view.name),
      ['index.html!embedded-zip!report.json'],
    );
  });
});

describe('rewriteFiles and listFiles', () => {
  test('rewrites every file under the roots in place and counts the changed ones', () => {
    const root = mkdtempSync(path.join(tmpdir(), 'gp-artifacts-'));
    dirs.push(root);
    mkdirSync(path.join(root, 'data', 'deep'), { recursive: true });
    writeFileSync(path.join(root, 'index.html'), html(zipSync({ 'r.json': bytes(SECRET) })));
    writeFileSync(path.join(root, 'data', 'deep', 'trace.zip'), zipSync({ 't.trace': bytes(SECRET) }));
    writeFileSync(path.join(root, 'data', 'clean.txt'), 'clean');
    assert.equal(listFiles(root).length, 3);
    assert.deepEqual(listFiles(path.join(root, 'data', 'clean.txt')), [path.join(root, 'data', 'clean.txt')]);
    assert.deepEqual(listFiles(path.join(root, 'missing')), []);

    assert.equal(rewriteFiles([root, path.join(root, 'missing')], mask), 2);
    for (const file of listFiles(root)) {
      const leaks = contentViews(readFileSync(file), file).filter((view) => view.text.includes(SECRET));
      assert.deepEqual(leaks, [], file);
    }
    assert.equal(rewriteFiles([root], mask), 0);
  });
});
