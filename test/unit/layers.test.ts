/**
 * The project's layers, checked on every `npm test` so they stay true:
 *   e2e → fixtures → harness: each layer imports only the layers below it;
 *   reporters, scripts, bench, the Playwright config and global setup import harness only;
 *   nothing outside platform/ imports platform/ (the harness meets it only over the network);
 *   no module over 400 lines.
 * A file that breaks a rule for a reason is listed below with that reason; any other break,
 * and any listed exception that no longer happens, fails the test.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ROOT } from '../../harness/run-context.ts';

/** The folders (or root files) a layer may import from, its own included. */
const MAY_IMPORT: Record<string, readonly string[]> = {
  harness: ['harness'],
  fixtures: ['fixtures', 'harness'],
  e2e: ['fixtures', 'harness'],
  reporters: ['harness'],
  scripts: ['harness'],
  bench: ['bench', 'harness'],
  'playwright.config.ts': ['harness'],
  'global-setup.ts': ['harness'],
  test: ['test', 'harness', 'fixtures', 'reporters', 'scripts', 'bench', 'profiles'],
  platform: ['platform'],
  // A profile module may import the profile helpers, and nothing else of the project.
  profiles: ['harness'],
};

/** `from → to` imports that break the rules above on purpose. */
const KNOWN_IMPORTS: Record<string, string> = {
  // The bench measures the recorder itself, in a browser of its own, outside the fixtures.
  'bench/browser-journey.ts → fixtures/journey.ts': 'measures the agent-socket recorder',
  'bench/browser-journey.ts → fixtures/socket-recorder.ts': 'measures the agent-socket recorder',
  // The bench times the project's own Playwright configuration, plus its timing reporter.
  'bench/playwright.bench.config.ts → playwright.config.ts': 'wraps the configuration it times',
  // A batch of fault-matrix rows runs the project's configuration with its own test file.
  'test/support/matrix-batch/playwright.config.ts → playwright.config.ts': 'wraps the configuration it runs',
  // The bench starts reference platforms the way the self-tests do: as processes, on free ports.
  'bench/browser-journey.ts → test/support/platform.ts': 'starts platforms as processes',
  'bench/platform-stats.ts → test/support/platform.ts': 'starts platforms as processes',
  'bench/run.ts → test/support/platform.ts': 'starts platforms as processes',
  'bench/sections/concurrency.ts → test/support/platform.ts': 'starts platforms as processes',
  'bench/sections/flood.ts → test/support/platform.ts': 'starts platforms as processes',
  'bench/sections/latency.ts → test/support/platform.ts': 'starts platforms as processes',
  'bench/sections/overhead.ts → test/support/platform.ts': 'starts platforms as processes',
  'bench/sections/tokens.ts → test/support/platform.ts': 'starts platforms as processes',
  'bench/sections/verdict-time.ts → test/support/platform.ts': 'starts platforms as processes',
  // The platform's smoke check is a test of the platform, run from its folder by
  // `npm run platform:smoke`: it starts the platform as the self-tests do, and speaks to it
  // with a bare client, not with the harness.
  'platform/smoke.ts → test/support/platform.ts': 'starts the platform as a process',
  'platform/smoke.ts → test/support/smoke-client.ts': 'a bare client of the contract',
  'platform/smoke-faults.ts → test/support/platform.ts': 'starts the platform as a process',
  'platform/smoke-faults.ts → test/support/smoke-client.ts': 'a bare client of the contract',
};

const MAX_LINES = 400;

/** Modules over the limit, each waiting for its split. */
const KNOWN_OVERSIZE: Record<string, string> = {};

/**
 * Modules of the same name in harness/ and platform/ that are not the same concept on two sides.
 * The names are another engineer's to change; until then a reader is warned here.
 */
const KNOWN_NAME_CLASHES: Record<string, string> = {
  'config.ts': "each side's own settings, read from its own variables: the same concept",
};

const SOURCE = /\.(ts|mjs|js)$/;
const SKIP = new Set(['node_modules', '.git', 'platform/frontend']);

function sources(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const rel = dir ? `${dir}/${entry.name}` : entry.name;
    if (SKIP.has(rel) || entry.name.startsWith('.')) return [];
    if (entry.isDirectory()) return sources(rel);
    return SOURCE.test(entry.name) ? [rel] : [];
  });
}

const ALL = [
  ...Object.keys(MAY_IMPORT)
    .filter((layer) => !layer.includes('.'))
    .flatMap(sources),
  'playwright.config.ts',
  'global-setup.ts',
];

/** The layer a project file belongs to: its top folder, or the root file itself. */
const layerOf = (file: string) => (file.includes('/') ? (file.split('/')[0] ?? file) : file);

const IMPORT =
  /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

/** The project files `file` imports (packages and node: modules are not layers). */
function importsOf(file: string): string[] {
  const text = readFileSync(path.join(ROOT, file), 'utf8');
  return [...text.matchAll(IMPORT)]
    .map((match) => match[1] ?? match[2] ?? '')
    .filter((specifier) => specifier.startsWith('.'))
    .map((specifier) =>
      path
        .relative(ROOT, path.resolve(ROOT, path.dirname(file), specifier))
        .split(path.sep)
        .join('/'),
    );
}

describe('layers', () => {
  it('every import goes down a layer, or is a listed exception', () => {
    const broken: string[] = [];
    const used = new Set<string>();
    for (const file of ALL) {
      const allowed = MAY_IMPORT[layerOf(file)] ?? [];
      for (const target of importsOf(file)) {
        if (allowed.includes(layerOf(target))) continue;
        const edge = `${file} → ${target}`;
        if (KNOWN_IMPORTS[edge]) used.add(edge);
        else broken.push(edge);
      }
    }
    assert.deepEqual(broken, [], 'imports against the layers (see the rules at the top of this file)');
    const stale = Object.keys(KNOWN_IMPORTS).filter((edge) => !used.has(edge));
    assert.deepEqual(stale, [], 'listed exceptions that no longer happen: take them off the list');
  });

  it('nothing outside platform/ imports platform/', () => {
    const into = ALL.filter((file) => layerOf(file) !== 'platform').flatMap((file) =>
      importsOf(file)
        .filter((target) => layerOf(target) === 'platform')
        .map((target) => `${file} → ${target}`),
    );
    assert.deepEqual(into, []);
  });

  it(`no module is over ${MAX_LINES} lines`, () => {
    const modules = ALL.filter((file) => layerOf(file) !== 'test');
    const over = modules
      .map((file) => ({ file, lines: readFileSync(path.join(ROOT, file), 'utf8').split('\n').length - 1 }))
      .filter(({ file, lines }) => lines > MAX_LINES && !KNOWN_OVERSIZE[file])
      .map(({ file, lines }) => `${file}: ${lines} lines`);
    assert.deepEqual(over, []);
    const stale = Object.keys(KNOWN_OVERSIZE).filter(
      (file) => readFileSync(path.join(ROOT, file), 'utf8').split('\n').length - 1 <= MAX_LINES,
    );
    assert.deepEqual(stale, [], 'listed oversize modules that fit now: take them off the list');
  });

  it('harness/ and platform/ share a module name only for the same concept', () => {
    const names = (dir: string) =>
      new Set(readdirSync(path.join(ROOT, dir)).filter((name) => SOURCE.test(name)));
    const platform = names('platform');
    const shared = [...names('harness')].filter((name) => platform.has(name)).sort();
    assert.deepEqual(
      shared,
      Object.keys(KNOWN_NAME_CLASHES).sort(),
      'a new shared name needs a reason here, or a new name',
    );
  });

  it('finds imports in the forms the project writes them', () => {
    // The rules above are only as good as this parser.
    const edges = importsOf('test/unit/layers.test.ts');
    assert.ok(edges.includes('harness/run-context.ts'), edges.join(', '));
    assert.ok(importsOf('playwright.config.ts').includes('harness/run-context.ts'));
    assert.ok(importsOf('bench/machine.ts').includes('harness/browser.ts'), 'dynamic import()');
  });
});
