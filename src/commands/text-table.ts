/** Column alignment. */
export type Align = 'left' | 'right';

/** Renders rows as aligned columns with two spaces between them. Pure. */
export function textTable(rows: readonly (readonly string[])[], align: readonly Align[] = [], indent = '  '): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows
    .map((row) =>
      indent +
      row
        .map((cell, i) => (align[i] === 'right' ? cell.padStart(widths[i]!) : i === row.length - 1 ? cell : cell.padEnd(widths[i]!)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
