/** Where a mutant goes in its file, and the file with it in: pure, so the unit test can check every anchor. */
import type { Mutant } from './table.ts';

/** The index just after the `{` that ends the first line at or after the anchor's, or why there is none. */
export function insertionPoint(source: string, mutant: Pick<Mutant, 'anchor' | 'file'>): number | string {
  const first = source.indexOf(mutant.anchor);
  if (first < 0) return `${mutant.file}: anchor "${mutant.anchor}" not found`;
  if (source.indexOf(mutant.anchor, first + 1) >= 0)
    return `${mutant.file}: anchor "${mutant.anchor}" occurs more than once`;
  const lines = /\{[ \t]*\r?\n/g;
  lines.lastIndex = first;
  const open = lines.exec(source);
  if (!open) return `${mutant.file}: no line ending in "{" after "${mutant.anchor}"`;
  return open.index + 1;
}

/** `source` with the mutant's statement as the first of the function's body. */
export function mutate(source: string, mutant: Mutant): string {
  const at = insertionPoint(source, mutant);
  if (typeof at === 'string') throw new Error(at);
  return `${source.slice(0, at)} ${mutant.insert}${source.slice(at)}`;
}
