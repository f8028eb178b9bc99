/**
 * A search for secrets in what a run wrote and printed, for the secret-scan self-test. It shares
 * no code with the scrubber it checks (reporters/scrub-secrets.ts and what it imports): whatever
 * the scrubber cannot decode or does not think of, this must still see.
 *
 * It looks into every container it meets, recursively: zip members, gzip streams, base64 and
 * base64url blobs in text (the HTML report's embedded zip, the single-file Allure report's
 * inlined data), at whatever offset they start, and percent-encoded or backslash-escaped text.
 * In each, it looks for every form of every secret: plain, URL-encoded, JSON-escaped, base64 and
 * base64url at each of the three byte alignments the value can have inside a longer encoded
 * stream, and a JWT's signature alone.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { unzipSync } from 'fflate';

export interface Needle {
  label: string;
  /** How the secret is written: `plain`, `url-encoded`, `base64@1`, `jwt-signature`, ... */
  form: string;
  text: string;
}

export interface Finding {
  where: string;
  label: string;
  form: string;
}

/** Shorter forms would match ordinary text; no secret this suite handles is that short. */
const MIN_FORM_LENGTH = 12;
/** Shorter runs of base64 characters are words and hashes, not blobs worth decoding. */
const MIN_BLOB_LENGTH = 32;
const MAX_DEPTH = 8;
/** Contents at least this large are searched once however often they recur (a trace in a blob report). */
const MEMO_MIN_BYTES = 4_096;

/**
 * The base64 characters that encode `bytes` wherever they sit in a longer stream at `offset`
 * (mod 3) bytes past a group boundary: the characters whose six bits all come from `bytes`.
 */
export function alignedBase64(
  bytes: Uint8Array,
  offset: 0 | 1 | 2,
  alphabet: 'base64' | 'base64url',
): string {
  const encoded = Buffer.concat([Buffer.alloc(offset), bytes]).toString(alphabet);
  const first = Math.ceil((8 * offset) / 6);
  const end = Math.floor((8 * (offset + bytes.length)) / 6);
  return encoded.slice(first, end);
}

/** Every form of one secret the search looks for. */
export function needlesFor(label: string, value: string): Needle[] {
  if (value.length < 8)
    throw new Error(`${label}: a ${value.length}-character secret cannot be searched for`);
  const bytes = Buffer.from(value, 'utf8');
  const forms: [string, string][] = [
    ['plain', value],
    ['url-encoded', encodeURIComponent(value)],
    ['json-escaped', JSON.stringify(value).slice(1, -1)],
  ];
  for (const offset of [0, 1, 2] as const) {
    forms.push([`base64@${offset}`, alignedBase64(bytes, offset, 'base64')]);
    forms.push([`base64url@${offset}`, alignedBase64(bytes, offset, 'base64url')]);
  }
  const parts = value.split('.');
  if (parts.length === 3 && (parts[2]?.length ?? 0) >= MIN_FORM_LENGTH)
    forms.push(['jwt-signature', parts[2] ?? '']);
  const seen = new Set<string>();
  return forms
    .filter(([, text]) => text.length >= MIN_FORM_LENGTH && !seen.has(text) && seen.add(text))
    .map(([form, text]) => ({ label, form, text }));
}

/** Many needles at once over bytes: a rolling hash of a fixed window, each hit checked in full. */
class Matcher {
  private static readonly BASE = 0x01000193;
  private static readonly SLOTS = 1 << 20;
  private readonly window: number;
  private readonly power: number;
  private readonly byHash = new Map<number, number[]>();
  private readonly maybe = new Uint8Array(Matcher.SLOTS);
  private readonly bytes: Buffer[];

  constructor(needles: Needle[]) {
    this.bytes = needles.map((needle) => Buffer.from(needle.text, 'latin1'));
    this.window = Math.min(32, ...this.bytes.map((bytes) => bytes.length));
    let power = 1;
    for (let i = 1; i < this.window; i++) power = Math.imul(power, Matcher.BASE);
    this.power = power;
    this.bytes.forEach((bytes, index) => {
      const hash = this.hash(bytes);
      this.maybe[hash & (Matcher.SLOTS - 1)] = 1;
      this.byHash.set(hash, [...(this.byHash.get(hash) ?? []), index]);
    });
  }

  private hash(bytes: Uint8Array): number {
    let hash = 0;
    for (let i = 0; i < this.window; i++) hash = (Math.imul(hash, Matcher.BASE) + (bytes[i] ?? 0)) | 0;
    return hash;
  }

  /** The indexes of the needles found in `hay`, each once. */
  find(hay: Uint8Array): number[] {
    const found = new Set<number>();
    const { window, power, maybe } = this;
    if (this.bytes.length === 0 || hay.length < window) return [];
    let hash = this.hash(hay);
    for (let at = 0; ; at++) {
      if (maybe[hash & (Matcher.SLOTS - 1)] === 1) {
        for (const index of this.byHash.get(hash) ?? []) {
          const needle = this.bytes[index] as Buffer;
          if (!found.has(index) && needle.equals(hay.subarray(at, at + needle.length))) found.add(index);
        }
      }
      if (at + window >= hay.length) break;
      const out = hay[at] as number;
      const next = hay[at + window] as number;
      hash = (Math.imul((hash - Math.imul(out, power)) | 0, Matcher.BASE) + next) | 0;
    }
    return [...found];
  }
}

const startsWith = (bytes: Uint8Array, magic: number[]) => magic.every((byte, i) => bytes[i] === byte);
const ZIP = [0x50, 0x4b, 0x03, 0x04];
const GZIP = [0x1f, 0x8b, 0x08];
const BLOB = new RegExp(`(?:[A-Za-z0-9+/_-]|\\r?\\n){${MIN_BLOB_LENGTH},}`, 'g');

interface Transform {
  name: string;
  applies: RegExp;
  apply: (text: string) => string;
}

/** Text that holds its data escaped: in a URL (`%2F`), in a JS or JSON string (`\\u002F`, `\\/`). */
const TRANSFORMS: Transform[] = [
  {
    name: 'percent-decoded',
    applies: /%[0-9A-Fa-f]{2}/,
    apply: (text) =>
      text.replace(/%([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16))),
  },
  {
    name: 'unescaped',
    applies: /\\(?:u[0-9A-Fa-f]{4}|x[0-9A-Fa-f]{2}|\/)/,
    apply: (text) =>
      text.replace(
        /\\(?:u([0-9A-Fa-f]{4})|x([0-9A-Fa-f]{2})|\/)/g,
        (whole: string, u?: string, x?: string) =>
          whole === '\\/' ? '/' : String.fromCharCode(Number.parseInt(u ?? x ?? '', 16)),
      ),
  },
];

/** Text a person could read: what a base64 blob that is really data decodes to. */
function readable(bytes: Uint8Array): boolean {
  if (bytes.length === 0) return false;
  let printable = 0;
  for (const byte of bytes) if (byte === 9 || byte === 10 || byte === 13 || byte >= 32) printable += 1;
  return printable / bytes.length > 0.97 && Buffer.from(bytes).toString('utf8').indexOf('\ufffd') < 0;
}

const view = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

export interface SearchReport {
  findings: Finding[];
  /** Containers that announced themselves (magic bytes) but could not be opened. */
  problems: string[];
  /** Every zip member, gzip stream and readable or container base64 blob that was opened. */
  opened: string[];
}

export class SecretSearch {
  private readonly matcher: Matcher;
  private readonly memo = new Map<string, SearchReport>();

  /** `decode: false` looks only at the bytes as given: for proving the forms on their own. */
  constructor(
    private readonly needles: Needle[],
    private readonly options: { decode: boolean } = { decode: true },
  ) {
    this.matcher = new Matcher(needles);
  }

  /** Everything found in `bytes`, named `where`, and in every container inside it. */
  bytes(bytes: Uint8Array, where: string): SearchReport {
    const report: SearchReport = { findings: [], problems: [], opened: [] };
    this.search(bytes, where, 0, report);
    return report;
  }

  /** Every file under `root` but those under the `excluded` folders. */
  tree(root: string, excluded: string[] = []): SearchReport & { files: number } {
    const skip = excluded.map((dir) => path.resolve(dir) + path.sep);
    const files = readdirSync(root, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => path.join(entry.parentPath, entry.name))
      .filter((file) => !skip.some((dir) => path.resolve(file).startsWith(dir)));
    const report: SearchReport = { findings: [], problems: [], opened: [] };
    for (const file of files) this.search(readFileSync(file), file, 0, report);
    return { ...report, files: files.length };
  }

  /**
   * `decoded`: the text transforms already applied on the way here, each applied once a chain,
   * so a chain of views cannot grow without end.
   */
  private search(
    bytes: Uint8Array,
    where: string,
    depth: number,
    report: SearchReport,
    decoded: Transform[] = [],
  ): void {
    const key = bytes.length >= MEMO_MIN_BYTES ? createHash('sha1').update(bytes).digest('hex') : undefined;
    const known = key ? this.memo.get(key) : undefined;
    if (known) {
      const moved = (name: string) => `${where}${name}`;
      report.findings.push(...known.findings.map((finding) => ({ ...finding, where: moved(finding.where) })));
      report.problems.push(...known.problems.map(moved));
      report.opened.push(...known.opened.map(moved));
      return;
    }
    // Found at a relative name, so the memo serves the same content met elsewhere.
    const own: SearchReport = { findings: [], problems: [], opened: [] };
    this.look(bytes, '', depth, own, decoded);
    if (key) this.memo.set(key, own);
    report.findings.push(
      ...own.findings.map((finding) => ({ ...finding, where: `${where}${finding.where}` })),
    );
    report.problems.push(...own.problems.map((name) => `${where}${name}`));
    report.opened.push(...own.opened.map((name) => `${where}${name}`));
  }

  private look(
    bytes: Uint8Array,
    where: string,
    depth: number,
    report: SearchReport,
    decoded: Transform[],
  ): void {
    for (const index of this.matcher.find(bytes)) {
      const needle = this.needles[index] as Needle;
      report.findings.push({ where, label: needle.label, form: needle.form });
    }
    if (!this.options.decode || depth >= MAX_DEPTH) return;
    if (startsWith(bytes, ZIP)) {
      let members: Record<string, Uint8Array>;
      try {
        members = unzipSync(bytes);
      } catch (error) {
        report.problems.push(`${where}: a zip that does not open (${(error as Error).message})`);
        return;
      }
      for (const [name, member] of Object.entries(members)) {
        report.opened.push(`${where}!${name}`);
        this.search(member, `${where}!${name}`, depth + 1, report);
      }
      return;
    }
    if (startsWith(bytes, GZIP)) {
      let inflated: Buffer;
      try {
        inflated = gunzipSync(bytes);
      } catch (error) {
        report.problems.push(`${where}: a gzip stream that does not inflate (${(error as Error).message})`);
        return;
      }
      report.opened.push(`${where}!gunzip`);
      this.search(inflated, `${where}!gunzip`, depth + 1, report);
      return;
    }
    const text = view(bytes).toString('latin1');
    for (const match of text.matchAll(BLOB)) {
      const blob = match[0].replace(/\r?\n/g, '');
      // The blob may start anywhere in the run: try each of the four character offsets.
      for (let skip = 0; skip < 4 && blob.length - skip >= MIN_BLOB_LENGTH; skip++) {
        const decoded = Buffer.from(blob.slice(skip), 'base64');
        const name = `${where}!base64@${(match.index ?? 0) + skip}`;
        if (startsWith(decoded, ZIP) || startsWith(decoded, GZIP) || readable(decoded))
          report.opened.push(name);
        this.search(decoded, name, depth + 1, report);
      }
    }
    // Percent-decoding and unescaping are for text: binary data would only yield more noise.
    if (!readable(bytes)) return;
    for (const transform of TRANSFORMS) {
      if (decoded.includes(transform) || !transform.applies.test(text)) continue;
      const next = Buffer.from(transform.apply(text), 'latin1');
      this.search(next, `${where}!${transform.name}`, depth + 1, report, [...decoded, transform]);
    }
  }
}
