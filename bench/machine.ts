/** The machine the numbers were measured on: results without it are not comparable. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from '@playwright/test';
import { ROOT } from '../harness/run-context.ts';

export interface Machine {
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  os: string;
  kernel: string;
  node: string;
  playwright: string;
  chromium: string;
  chromiumPath: string;
}

function packageVersion(name: string): string {
  try {
    const file = path.join(ROOT, 'node_modules', name, 'package.json');
    return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

function osName(): string {
  try {
    const release = readFileSync('/etc/os-release', 'utf8');
    return /^PRETTY_NAME="?([^"\n]+)"?/m.exec(release)?.[1] ?? os.type();
  } catch {
    return os.type();
  }
}

/**
 * The Chromium the harness runs: ask the browser itself (the bench's own, launched as the
 * harness launches it), else the executable, for its version.
 */
async function chromiumVersion(launch: () => Promise<Browser>): Promise<{ version: string; path: string }> {
  const { chromium } = await import('@playwright/test');
  const { chooseBrowser } = await import('../harness/browser.ts');
  const executablePath =
    chooseBrowser(chromium.executablePath())?.executablePath ?? chromium.executablePath();
  try {
    return { version: (await launch()).version(), path: executablePath };
  } catch {
    try {
      const text = execFileSync(executablePath, ['--version'], { encoding: 'utf8', stdio: 'pipe' });
      return { version: /(\d+\.\d+\.\d+\.\d+)/.exec(text)?.[1] ?? text.trim(), path: executablePath };
    } catch {
      return { version: 'unknown', path: executablePath };
    }
  }
}

export async function describeMachine(launch: () => Promise<Browser>): Promise<Machine> {
  const cpus = os.cpus();
  const browser = await chromiumVersion(launch);
  return {
    cpus: cpus.length,
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    memoryGiB: Number((os.totalmem() / 1024 ** 3).toFixed(1)),
    os: osName(),
    kernel: os.release(),
    node: process.version,
    playwright: packageVersion('@playwright/test'),
    chromium: browser.version,
    chromiumPath: browser.path,
  };
}
