/** The seeded user table: emails from PLATFORM_USERS, ids derived stably from the email. */
import { createHash } from 'node:crypto';

export interface User {
  id: string;
  email: string;
}

export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

export function userIdFor(email: string): string {
  const digest = createHash('sha256').update(normaliseEmail(email)).digest('hex');
  return `usr_${digest.slice(0, 12)}`;
}

export interface UserDirectory {
  find(email: string): User | undefined;
  all(): readonly User[];
}

export function createUserDirectory(
  emails: readonly string[],
  idFor: (email: string) => string = userIdFor,
): UserDirectory {
  const users = new Map<string, User>();
  for (const raw of emails) {
    const email = normaliseEmail(raw);
    if (email !== '') users.set(email, { id: idFor(email), email });
  }
  const list = [...users.values()];
  return {
    find: (email) => users.get(normaliseEmail(email)),
    all: () => list,
  };
}
