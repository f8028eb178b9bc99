/**
 * The secrets this run holds (bypass key, passwords, every token obtained) and how to keep them
 * out of everything written. Playwright cannot redact in general (microsoft/playwright#19992),
 * but the harness knows exactly which values are secret, so it masks them in its own messages
 * and attachments, and the scrubbing reporter rewrites what Playwright writes itself.
 *
 * Secrets cross processes through the state folder: each process appends what it learns to
 * its own 0600 file under `<stateDir>/secrets/`, beside the 0600 token cache.
 */
import { appendFileSync, chmodSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

export interface Secret {
  label: string;
  value: string;
}

/** Shorter values are not treated as secrets: masking them would shred ordinary text. */
const MIN_SECRET_LENGTH = 6;

/** The forms a secret may take in files: plain, base64, base64url and URL-encoded. */
export function secretForms(value: string): string[] {
  const buffer = Buffer.from(value, 'utf8');
  const forms = new Set([
    value,
    buffer.toString('base64'),
    buffer.toString('base64').replace(/=+$/, ''),
    buffer.toString('base64url'),
    encodeURIComponent(value),
  ]);
  return [...forms].filter((form) => form.length >= MIN_SECRET_LENGTH);
}

/**
 * JSON fields that carry credentials, also as escaped JSON inside a string (a trace's network
 * log), and the secret label each gets.
 */
const CREDENTIAL_FIELD = /\\?"(access_token|refresh_token|id_token)\\?"\s*:\s*\\?"([^"\\\s]+)\\?"/g;
const FIELD_LABELS: Record<string, string> = {
  access_token: 'access-token',
  refresh_token: 'refresh-token',
  id_token: 'id-token',
};

/**
 * The credentials a text holds in JSON fields: the auth service's answers to the page, which a
 * trace records, carry tokens nobody registered.
 */
export function credentialsIn(text: string): Secret[] {
  return [...text.matchAll(CREDENTIAL_FIELD)]
    .map(([, field, value]) => ({ label: FIELD_LABELS[field ?? ''] ?? 'token', value: value ?? '' }))
    .filter((secret) => secret.value.length >= MIN_SECRET_LENGTH && !secret.value.startsWith('[redacted'));
}

export class SecretRegistry {
  private readonly secrets = new Map<string, string>();
  private pattern: RegExp | undefined;
  private readonly file: string | undefined;

  /** With a state folder, every secret added is also written (0600) for the reporter to use. */
  constructor(stateDir?: string) {
    if (stateDir) {
      const dir = path.join(stateDir, 'secrets');
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      this.file = path.join(dir, `${process.pid}.jsonl`);
    }
  }

  add(label: string, value: string | undefined): void {
    if (!value || value.length < MIN_SECRET_LENGTH || this.secrets.has(value)) return;
    this.secrets.set(value, label);
    this.pattern = undefined;
    if (this.file) {
      appendFileSync(this.file, `${JSON.stringify({ label, value })}\n`, { mode: 0o600 });
      chmodSync(this.file, 0o600);
    }
  }

  list(): Secret[] {
    return [...this.secrets].map(([value, label]) => ({ label, value }));
  }

  /** Replace every form of every secret with `[redacted:<label>]`. */
  mask(text: string): string {
    if (this.secrets.size === 0) return text;
    if (!this.pattern) {
      const byForm = new Map<string, string>();
      for (const [value, label] of this.secrets)
        for (const form of secretForms(value)) byForm.set(form, label);
      this.formLabels = byForm;
      const alternatives = [...byForm.keys()]
        .sort((a, b) => b.length - a.length)
        .map((form) => form.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
      this.pattern = new RegExp(alternatives.join('|'), 'g');
    }
    return text.replace(this.pattern, (form) => `[redacted:${this.formLabels.get(form) ?? 'secret'}]`);
  }

  private formLabels = new Map<string, string>();

  /** Every secret any process of this run wrote under `<stateDir>/secrets/`. */
  static readAll(stateDir: string): SecretRegistry {
    const registry = new SecretRegistry();
    const dir = path.join(stateDir, 'secrets');
    if (!existsSync(dir)) return registry;
    for (const name of readdirSync(dir)) {
      for (const line of readFileSync(path.join(dir, name), 'utf8').split('\n')) {
        if (!line.trim()) continue;
        try {
          const { label, value } = JSON.parse(line) as Secret;
          registry.add(label, value);
        } catch {
          // A line cut short by a crashed writer holds no complete secret to mask.
        }
      }
    }
    return registry;
  }
}
