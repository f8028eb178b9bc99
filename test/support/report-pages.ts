/**
 * The reports as a person opens them, for the self-tests: a folder report served over loopback
 * HTTP, a browser to open it in, the way through Allure's tree to a test, and what an image on
 * the page shows.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { type Browser, chromium, type Locator, type Page } from '@playwright/test';
import { CHROMIUM_ARGS, chooseBrowser } from '../../harness/browser.ts';
import { EPIC, FEATURES } from '../../harness/spec-tags.ts';

const TYPES: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.json': 'application/json',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

export interface ServedFolder {
  url: string;
  close: () => Promise<void>;
}

/** A static file server for a report folder (a folder report does not load over file://). */
export async function serveFolder(root: string): Promise<ServedFolder> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const file = path.join(root, decodeURIComponent(url.pathname).replace(/\/$/, '/index.html'));
    if (!file.startsWith(root) || !existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' });
    res.end(readFileSync(file));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The Chromium the harness itself would use. */
export function launchChromium(): Promise<Browser> {
  const choice = chooseBrowser(chromium.executablePath());
  return chromium.launch({
    ...(choice?.executablePath ? { executablePath: choice.executablePath } : {}),
    args: CHROMIUM_ARGS,
  });
}

/**
 * Through Allure's tree (epic, feature, story) to the golden-path test's page. A section Allure
 * shows open already (a small report) is not clicked: that would close it.
 */
export async function openAllureTest(page: Page, title: string): Promise<void> {
  const section = (text: string) => page.getByTestId('tree-section-title').filter({ hasText: text }).first();
  const leaf = page.getByTestId('tree-leaf-title').filter({ hasText: title }).first();
  const path = [section(EPIC), section(FEATURES['@golden-path'].feature), section(title), leaf];
  await path[0]?.waitFor();
  for (let level = 0; level < path.length - 1; level += 1) {
    if (!(await path[level + 1]?.isVisible())) await path[level]?.click();
  }
  await leaf.click();
  await page.getByTestId('test-result-info-title').filter({ hasText: title }).waitFor();
}

export interface ShownImage {
  /** Its width as drawn from its own data (0 when it did not load). */
  naturalWidth: number;
  /** Pixels of the rendered picture that are the waterfall's red. */
  redPixels: number;
  /** The picture's own source (an SVG's markup). */
  source: string;
}

/** What an image on the page shows: drawn onto a canvas, and its source fetched as the page does. */
export async function shownImage(image: Locator): Promise<ShownImage> {
  await image.waitFor();
  return image.evaluate(async (element: HTMLImageElement) => {
    await element.decode();
    const canvas = document.createElement('canvas');
    canvas.width = element.naturalWidth;
    canvas.height = element.naturalHeight;
    const context = canvas.getContext('2d') as CanvasRenderingContext2D;
    context.drawImage(element, 0, 0);
    const data = context.getImageData(0, 0, canvas.width, canvas.height).data;
    let redPixels = 0;
    for (let at = 0; at < data.length; at += 4) {
      const [r = 0, g = 0, b = 0] = [data[at], data[at + 1], data[at + 2]];
      if (r > 180 && g < 90 && b < 90) redPixels += 1;
    }
    const source = await (await fetch(element.src)).text();
    return { naturalWidth: element.naturalWidth, redPixels, source };
  });
}
