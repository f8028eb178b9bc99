/** Plain-text tables for logs and text attachments: columns padded to their widest cell. */

export interface TableOptions {
  /** Columns whose cells line up on the right (numbers). */
  rightAligned?: readonly number[];
}

export function textTable(header: string[], rows: string[][], options: TableOptions = {}): string[] {
  const right = new Set(options.rightAligned ?? []);
  const widths = header.map((_, column) =>
    Math.max(...[header, ...rows].map((row) => (row[column] ?? '').length)),
  );
  const line = (row: string[]) =>
    row
      .map((cell, column) =>
        right.has(column) ? cell.padStart(widths[column] ?? 0) : cell.padEnd(widths[column] ?? 0),
      )
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)];
}
