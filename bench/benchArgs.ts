import { parseArgs } from "node:util"
import type { DatasetSize } from "./dataset.js"

export interface BenchArgs {
  readonly size: DatasetSize
  readonly rounds: number
  /** WORKER_CONCURRENCY, and how many backups run at once (bench:backup only). */
  readonly concurrency: number
  /** The data set is only small files: print files/s against the target. */
  readonly small: boolean
  /** Sample the worker's heap, external memory and RSS from its /metrics while it works. */
  readonly sampleMemory: boolean
}

export interface BenchDefaults extends DatasetSize {
  readonly rounds: number
}

/** What `--small` stands for: the small-files case, 5000 files of 100 B to 1.5 KiB. */
export const SMALL_SET: DatasetSize = { randomMiB: 0, textMiB: 0, smallFiles: 5000, smallBytes: { min: 100, max: 1536 } }

const NUMBERS = { "random-mib": "XVAULT_BENCH_RANDOM_MIB", "text-mib": "XVAULT_BENCH_TEXT_MIB", "small-files": "XVAULT_BENCH_SMALL_FILES", rounds: "XVAULT_BENCH_ROUNDS", concurrency: "XVAULT_BENCH_CONCURRENCY" } as const

/**
 * The benches' command line. Each value comes from its flag, else its variable (XVAULT_BENCH_*),
 * else `--small`'s data set when given, else the bench's defaults.
 */
export const parseBenchArgs = (
  argv: ReadonlyArray<string>,
  env: Readonly<Record<string, string | undefined>>,
  defaults: BenchDefaults,
  options: { readonly concurrency: boolean }
): BenchArgs => {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      "random-mib": { type: "string" },
      "text-mib": { type: "string" },
      "small-files": { type: "string" },
      rounds: { type: "string" },
      concurrency: { type: "string" },
      "small-bytes": { type: "string" },
      small: { type: "boolean", default: false },
      "sample-memory": { type: "boolean", default: false }
    }
  })
  const small = values["small"] === true
  const base: BenchDefaults = small ? { ...SMALL_SET, rounds: defaults.rounds } : defaults
  const raw = (name: keyof typeof NUMBERS | "small-bytes", variable: string) => values[name] ?? env[variable]
  const number = (name: keyof typeof NUMBERS, fallback: number, least: number) => {
    const text = raw(name, NUMBERS[name])
    if (text === undefined) return fallback
    const n = Number(text)
    if (text.trim() === "" || !Number.isInteger(n) || n < least) throw new Error(`--${name} must be a whole number of at least ${least}, not '${text}'`)
    return n
  }
  const bytesText = raw("small-bytes", "XVAULT_BENCH_SMALL_BYTES")
  const smallBytes = bytesText === undefined ? base.smallBytes : parseRange(bytesText)
  const concurrency = number("concurrency", 1, 1)
  if (concurrency !== 1 && !options.concurrency) throw new Error("--concurrency is only for bench:backup")
  return {
    size: {
      randomMiB: number("random-mib", base.randomMiB, 0),
      textMiB: number("text-mib", base.textMiB, 0),
      smallFiles: number("small-files", base.smallFiles, 0),
      smallBytes
    },
    rounds: number("rounds", defaults.rounds, 1),
    concurrency,
    small,
    sampleMemory: values["sample-memory"] === true
  }
}

/** `MIN-MAX` bytes, MAX not included. */
const parseRange = (text: string) => {
  const match = /^(\d+)-(\d+)$/.exec(text.trim())
  const [min, max] = [Number(match?.[1]), Number(match?.[2])]
  if (match === null || min < 1 || max <= min || max > 65536) {
    throw new Error(`--small-bytes must be MIN-MAX with 1 <= MIN < MAX <= 65536 (MAX not included), not '${text}'`)
  }
  return { min, max }
}
