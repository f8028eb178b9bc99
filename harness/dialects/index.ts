/** The built-in dialects, by the names a profile uses. */
import type { WireDialect } from '../dialect.ts';
import { contractDialect } from './contract.ts';
import { netraDialect } from './netra.ts';

export const BUILT_IN_DIALECTS: Readonly<Record<string, WireDialect>> = {
  contract: contractDialect,
  netra: netraDialect,
};

export { contractDialect, netraDialect };
