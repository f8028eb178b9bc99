/** Types of harness/quiet-step.mjs (plain JavaScript: it runs before TypeScript is installed). */
import type { SpawnSyncOptions } from 'node:child_process';

export const TAIL_LINES: number;
export function say(line: string): void;
export function logFile(root: string, name: string): string;
export function tail(file: string, count?: number): string;
export function startLog(file: string): void;
export function runLogged(file: string, command: string, args: string[], options?: SpawnSyncOptions): boolean;
export function step(label: string, file: string, work: () => boolean): boolean;
