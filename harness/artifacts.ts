/**
 * Walking what a run wrote, zip members and the HTML report's embedded zip included: used to
 * scrub secrets out of artifacts and, by the secret-scan test, to prove none are left.
 */
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { unzipSync, zipSync } from 'fflate';

const ZIP_MAGIC = Buffer.from([0x50, 0x4b, 0x03, 0x04]);
const EMBEDDED_ZIP = /(data:application\/zip;base64,)([A-Za-z0-9+/=]+)/g;

export function listFiles(root: string): string[] {
  if (!existsSync(root)) return [];
  if (statSync(root).isFile()) return [root];
  return readdirSync(root, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(root, entry.name);
    return entry.isDirectory() ? listFiles(full) : entry.isFile() ? [full] : [];
  });
}

const isZip = (bytes: Uint8Array) => bytes.length > 4 && Buffer.from(bytes.subarray(0, 4)).equals(ZIP_MAGIC);

/**
 * Apply `edit` to the text of a file's content, looking inside zips (recursively) and inside
 * base64 zips embedded in HTML. Text is handled as latin1 so binary bytes survive unchanged.
 * Returns the new bytes, or undefined when nothing changed.
 */
export function rewriteContent(bytes: Uint8Array, edit: (text: string) => string): Uint8Array | undefined {
  if (isZip(bytes)) {
    const members = unzipSync(bytes);
    let changed = false;
    for (const [name, member] of Object.entries(members)) {
      const next = rewriteContent(member, edit);
      if (next) {
        members[name] = new Uint8Array(next);
        changed = true;
      }
    }
    return changed ? zipSync(members) : undefined;
  }
  const text = Buffer.from(bytes).toString('latin1');
  let next = edit(text);
  next = next.replace(EMBEDDED_ZIP, (whole, prefix: string, data: string) => {
    const inner = rewriteContent(Buffer.from(data, 'base64'), edit);
    return inner ? `${prefix}${Buffer.from(inner).toString('base64')}` : whole;
  });
  return next === text ? undefined : Buffer.from(next, 'latin1');
}

/** Every text view of a file: its own, each zip member's, each embedded zip's members'. */
export function contentViews(bytes: Uint8Array, name: string): { name: string; text: string }[] {
  if (isZip(bytes)) {
    return Object.entries(unzipSync(bytes)).flatMap(([member, data]) =>
      contentViews(data, `${name}!${member}`),
    );
  }
  const text = Buffer.from(bytes).toString('latin1');
  const views = [{ name, text }];
  for (const match of text.matchAll(EMBEDDED_ZIP)) {
    views.push(...contentViews(Buffer.from(match[2] ?? '', 'base64'), `${name}!embedded-zip`));
  }
  return views;
}

/** Rewrite every file under the roots in place; returns how many files changed. */
export function rewriteFiles(roots: string[], edit: (text: string) => string): number {
  let changed = 0;
  for (const file of roots.flatMap(listFiles)) {
    const next = rewriteContent(readFileSync(file), edit);
    if (next) {
      writeFileSync(file, next);
      changed += 1;
    }
  }
  return changed;
}
