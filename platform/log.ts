/**
 * One short line per notable event, to stderr. Callers pass only non-secret facts:
 * never a token, refresh token, password or the bypass key.
 */

export type Logger = (message: string) => void;

export function createLogger(service: string): Logger {
  return (message: string) => {
    process.stderr.write(`[platform:${service}] ${message}\n`);
  };
}
