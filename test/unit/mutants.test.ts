import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ROOT } from '../../harness/run-context.ts';
import { insertionPoint, mutate } from '../mutants/apply.ts';
import { MUTANTS } from '../mutants/table.ts';

describe('the mutants of npm run mutants still mutate something', () => {
  for (const mutant of MUTANTS) {
    it(`${mutant.name}: its anchor opens one function in ${mutant.file}, and its catchers exist`, () => {
      const at = insertionPoint(readFileSync(path.join(ROOT, mutant.file), 'utf8'), mutant);
      assert.equal(typeof at, 'number', String(at));
      assert.ok(mutant.catchers.length > 0, 'a mutant nothing claims to catch');
      for (const catcher of mutant.catchers)
        assert.ok(existsSync(path.join(ROOT, catcher.file)), `${catcher.file} does not exist`);
    });
  }

  it('inserts the early return as the first statement of the body, also after a multi-line signature', () => {
    const source = 'export function f(\n  a: number,\n): number {\n  return a;\n}\n';
    const mutant = {
      name: 'm',
      what: '',
      file: 'f.ts',
      anchor: 'export function f(',
      insert: 'return 0;',
      catchers: [],
    };
    assert.equal(
      mutate(source, mutant),
      'export function f(\n  a: number,\n): number { return 0;\n  return a;\n}\n',
    );
    assert.match(String(insertionPoint(`${source}${source}`, mutant)), /occurs more than once/);
    assert.match(String(insertionPoint('', mutant)), /not found/);
  });
});
