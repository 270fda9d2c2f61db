/** The benches' arithmetic and wording, kept apart from the processes they drive. */

export const median = (xs: ReadonlyArray<number>) => {
  if (xs.length === 0) throw new Error("the median of no values")
  const sorted = [...xs].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

export interface Target {
  readonly op: "<=" | ">="
  readonly value: number
  readonly unit?: string
}

/** `ratio 2.38  target <= 1.0  NOT met`: the figure, the target and whether it is met. */
export const verdict = (label: string, value: number, target: Target, digits = 2) => {
  const met = target.op === "<=" ? value <= target.value : value >= target.value
  const unit = target.unit ?? ""
  return `${label} ${value.toFixed(digits)}${unit}  target ${target.op} ${target.value.toFixed(target.value < 10 ? 1 : 0)}${unit}  ${met ? "met" : "NOT met"}`
}

export const seconds = (ms: number) => (ms / 1000).toFixed(2)

/** Right-aligned columns after a left-aligned first one. */
export const table = (header: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<string>>) => {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)))
  return [header, ...rows].map((row) => row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join("  ")).join("\n")
}
