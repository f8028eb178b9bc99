/**
 * Entry point: `node --import tsx platform/main.ts`. Reads the PLATFORM_* variables, starts the
 * services, prints one PLATFORM_READY line to stdout, and shuts down cleanly on SIGTERM/SIGINT.
 * Exit codes: 0 clean shutdown, 1 failed to start, 2 bad configuration (e.g. unknown fault).
 */
import { ConfigError, loadConfig, type PlatformConfig } from './config.ts';
import { UnknownFaultError } from './faults.ts';
import { createLogger } from './log.ts';
import { type RunningPlatform, readyLine, startPlatform } from './platform.ts';

const log = createLogger('main');
const SHUTDOWN_GRACE_MS = 5000;

function configOrExit(): PlatformConfig {
  try {
    return loadConfig();
  } catch (err) {
    if (err instanceof ConfigError || err instanceof UnknownFaultError) {
      process.stderr.write(`platform: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
}

function onShutdownSignals(platform: RunningPlatform): void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      process.exit(0);
    }
    stopping = true;
    log(`${signal} received, shutting down`);
    setTimeout(() => {
      log('shutdown took too long, exiting');
      process.exit(0);
    }, SHUTDOWN_GRACE_MS).unref();
    platform.close().then(
      () => process.exit(0),
      (err: unknown) => {
        log(`error while shutting down: ${err instanceof Error ? err.message : String(err)}`);
        process.exit(0);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

async function main(): Promise<void> {
  const config = configOrExit();
  let platform: RunningPlatform;
  try {
    platform = await startPlatform(config);
  } catch (err) {
    log(`failed to start: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  }
  onShutdownSignals(platform);
  process.stdout.write(`${readyLine(platform.urls)}\n`);
}

void main();
