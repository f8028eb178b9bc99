/** The netra wire dialect on a contract deployment: the contract's tokens, pages and health, netra's frames. */
import { defineProfile } from '../../../harness/profile.ts';

export default defineProfile({ extends: 'contract', dialect: 'netra' });
