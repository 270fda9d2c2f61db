import { expect } from "vitest"

/** One sample line of the Prometheus text exposition format. */
export interface Sample {
  readonly name: string
  readonly labels: Readonly<Record<string, string>>
  readonly value: number
}

const NAME = "[a-zA-Z_:][a-zA-Z0-9_:]*"
const LABEL = `[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\\\\n]|\\\\[\\\\"n])*"`
const SAMPLE = new RegExp(`^(${NAME})(?:\\{((?:${LABEL})(?:,${LABEL})*,?)?\\})? (\\S+)(?: -?\\d+)?$`)
const HELP = new RegExp(`^# HELP (${NAME}) .*$`)
const TYPE = new RegExp(`^# TYPE (${NAME}) (counter|gauge|histogram|summary|untyped)$`)
const VALUE = /^(?:[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?|[+-]?Inf|NaN)$/
const SUFFIXES: Record<string, ReadonlyArray<string>> = {
  histogram: ["_bucket", "_sum", "_count"],
  summary: ["", "_sum", "_count"]
}

/**
 * Parses Prometheus text format (version 0.0.4) strictly: every line is a HELP, a TYPE, a
 * comment or a sample; every sample belongs to a family with both HELP and TYPE declared
 * before it; histograms have a `+Inf` bucket. Fails the test naming the first bad line.
 */
export const parsePromText = (text: string) => {
  const help = new Set<string>()
  const types = new Map<string, string>()
  const samples: Array<Sample> = []
  const lines = text.split("\n")
  expect(lines.at(-1), "the exposition ends with a newline").toBe("")
  for (const line of lines.slice(0, -1)) {
    if (line === "") continue
    const h = HELP.exec(line)
    const t = TYPE.exec(line)
    if (h) help.add(h[1]!)
    else if (t) types.set(t[1]!, t[2]!)
    else if (line.startsWith("#")) continue
    else {
      const m = SAMPLE.exec(line)
      expect(m, `not a valid sample line: ${JSON.stringify(line)}`).not.toBeNull()
      const [, name, labelText, value] = m!
      expect(value, `bad value in ${JSON.stringify(line)}`).toMatch(VALUE)
      const family = [...types.keys()].find((f) => (SUFFIXES[types.get(f)!] ?? [""]).some((s) => `${f}${s}` === name))
      expect(family, `sample ${name} has no TYPE line before it`).toBeDefined()
      expect(help.has(family!), `family ${family} has no HELP line`).toBe(true)
      const labels: Record<string, string> = {}
      for (const [, k, v] of (labelText ?? "").matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
        labels[k!] = v!.replace(/\\n/g, "\n").replace(/\\(["\\])/g, "$1")
      }
      samples.push({ name: name!, labels, value: Number(value === "+Inf" ? Infinity : value) })
    }
  }
  for (const [family, type] of types) {
    if (type === "histogram" && samples.some((s) => s.name === `${family}_count`)) {
      expect(samples.some((s) => s.name === `${family}_bucket` && s.labels["le"] === "+Inf"), `${family} has no +Inf bucket`).toBe(true)
    }
  }
  return { families: types, samples }
}

/** The samples named `name` whose labels include `labels`. */
export const samplesOf = (parsed: { readonly samples: ReadonlyArray<Sample> }, name: string, labels: Record<string, string> = {}) =>
  parsed.samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
