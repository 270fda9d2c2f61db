import { describe, expect, it } from "vitest"
import { parseBenchArgs, SMALL_SET } from "../../../bench/benchArgs.js"

const defaults = { randomMiB: 256, textMiB: 256, smallFiles: 5000, smallBytes: { min: 200, max: 8200 }, rounds: 5 }
const parse = (argv: Array<string>, env: Record<string, string> = {}, concurrency = true) => parseBenchArgs(argv, env, defaults, { concurrency })

describe("the benches' command line", () => {
  it("takes the bench's defaults when nothing is given", () => {
    expect(parse([])).toEqual({ size: { randomMiB: 256, textMiB: 256, smallFiles: 5000, smallBytes: { min: 200, max: 8200 } }, rounds: 5, concurrency: 1, small: false, sampleMemory: false })
  })

  it("prefers a flag to its variable, and the variable to the default", () => {
    const args = parse(["--rounds", "2", "--small-bytes", "10-20"], { XVAULT_BENCH_ROUNDS: "7", XVAULT_BENCH_TEXT_MIB: "1024" })
    expect(args.rounds).toBe(2)
    expect(args.size.textMiB).toBe(1024)
    expect(args.size.smallBytes).toEqual({ min: 10, max: 20 })
  })

  it("--small is the issue's small-files set, and explicit sizes still win over it", () => {
    expect(parse(["--small"]).size).toEqual(SMALL_SET)
    expect(SMALL_SET).toEqual({ randomMiB: 0, textMiB: 0, smallFiles: 5000, smallBytes: { min: 100, max: 1536 } })
    expect(parse(["--small", "--small-files", "100"]).size.smallFiles).toBe(100)
    expect(parse(["--small"]).rounds).toBe(5)
  })

  it("names the flag and the value it refuses", () => {
    expect(() => parse(["--rounds", "0"])).toThrow("--rounds must be a whole number of at least 1, not '0'")
    expect(() => parse(["--random-mib", "1.5"])).toThrow("--random-mib must be a whole number of at least 0, not '1.5'")
    expect(() => parse([], { XVAULT_BENCH_SMALL_FILES: "" })).toThrow("--small-files must be a whole number")
    expect(() => parse(["--small-bytes", "20-10"])).toThrow("--small-bytes must be MIN-MAX")
    expect(() => parse(["--small-bytes", "abc"])).toThrow("not 'abc'")
    expect(() => parse(["--nope"])).toThrow(/nope/)
  })

  it("takes --concurrency only where the bench runs backups at once", () => {
    expect(parse(["--concurrency", "2"]).concurrency).toBe(2)
    expect(() => parse(["--concurrency", "2"], {}, false)).toThrow("--concurrency is only for bench:backup")
    expect(parse(["--concurrency", "1"], {}, false).concurrency).toBe(1)
  })
})
