/** A plain aligned table for people; scripts use --json. */
export const formatTable = <Row>(
  rows: ReadonlyArray<Row>,
  columns: ReadonlyArray<readonly [header: string, cell: (row: Row) => string]>
): string => {
  const cells = rows.map((row) => columns.map(([, cell]) => cell(row)))
  const widths = columns.map(([header], i) => Math.max(header.length, ...cells.map((c) => c[i]!.length)))
  const line = (values: ReadonlyArray<string>) => values.map((v, i) => v.padEnd(widths[i]!)).join("  ").trimEnd()
  return [line(columns.map(([header]) => header.toUpperCase())), ...cells.map(line)].join("\n")
}
