import { describe, expect, it } from "vitest"
import { EntryPolicy, type Verdict } from "../../../src/worker/restore/EntryPolicy.js"
import { includeMatcher } from "../../../src/worker/restore/includeMatcher.js"
import type { ReadEntry } from "../../../src/worker/artifact/TarParser.js"

const entry = (name: string, type: ReadEntry["type"] = "file", linkname = ""): ReadEntry =>
  ({ name, type, typeflag: type === "other" ? "3" : "0", size: 0, mode: 0o644, mtime: 0, uid: 0, gid: 0, linkname, offset: 0 })

const decideAll = (policy: EntryPolicy, entries: ReadonlyArray<ReadEntry>): Array<[string, Verdict]> =>
  entries.map((e) => [e.name, policy.decide(e)])

describe("includeMatcher", () => {
  const names = ["srv", "srv/data", "srv/data/docs", "srv/data/docs/a.txt", "srv/data/docs/b.md", "srv/data/logs/x.txt", "srv/other"]
  const dirs = new Set(["srv", "srv/data", "srv/data/docs"])
  const taken = (patterns: ReadonlyArray<string>) => {
    const matches = includeMatcher(patterns)
    return names.filter((name) => matches(name, dirs.has(name)))
  }

  it("no pattern takes everything, a directory takes its subtree, a leading '/' is optional", () => {
    expect(taken([])).toEqual(names)
    expect(taken(["srv/data/docs"])).toEqual(["srv/data/docs", "srv/data/docs/a.txt", "srv/data/docs/b.md"])
    expect(taken(["/srv/data/docs/"])).toEqual(["srv/data/docs", "srv/data/docs/a.txt", "srv/data/docs/b.md"])
  })

  it("a pattern without '/' matches a name anywhere; with '/' the whole name; ** crosses directories", () => {
    expect(taken(["*.txt"])).toEqual(["srv/data/docs/a.txt", "srv/data/logs/x.txt"])
    expect(taken(["srv/*/logs"])).toEqual(["srv/data/logs/x.txt"])
    expect(taken(["srv/**/b.md", "srv/other"])).toEqual(["srv/data/docs/b.md", "srv/other"])
    expect(taken(["data/docs"])).toEqual([]) // anchored at the archive's root
  })

  it("a trailing '/' matches directories only", () => {
    expect(taken(["other/"])).toEqual([])
    expect(taken(["docs/"])).toEqual(["srv/data/docs", "srv/data/docs/a.txt", "srv/data/docs/b.md"])
  })
})

describe("EntryPolicy", () => {
  it("restores normal names, normalized", () => {
    const policy = new EntryPolicy([])
    expect(decideAll(policy, [entry("srv/", "directory"), entry("srv//./a.txt"), entry("./", "directory")])).toEqual([
      ["srv/", { _tag: "Restore", path: "srv" }],
      ["srv//./a.txt", { _tag: "Restore", path: "srv/a.txt" }],
      ["./", { _tag: "Skip" }]
    ])
  })

  it("refuses absolute names, '..' and anything below an earlier symlink, and says why", () => {
    const policy = new EntryPolicy([])
    const verdicts = decideAll(policy, [
      entry("../escape"),
      entry("/abs"),
      entry("srv/../../up"),
      entry("link", "symlink", "/tmp/outside"),
      entry("link/x"),
      entry("up", "symlink", ".."),
      entry("up/deeper/y", "directory"),
      entry("dev", "other")
    ])
    expect(verdicts.map(([name, v]) => [name, v._tag === "Refuse" ? v.message : v._tag])).toEqual([
      ["../escape", "refused: a name with '..' would be written outside the target"],
      ["/abs", "refused: an absolute name would be written outside the target"],
      ["srv/../../up", "refused: a name with '..' would be written outside the target"],
      ["link", "Restore"],
      ["link/x", "refused: it is below the symlink link, which could point outside the target"],
      ["up", "Restore"],
      ["up/deeper/y", "refused: it is below the symlink up, which could point outside the target"],
      ["dev", "skipped: tar entries of type '3' (hard links, devices, FIFOs) are not restored"]
    ])
  })

  it("applies includes, and a symlink left out still guards what is below it", () => {
    const policy = new EntryPolicy(["srv/keep", "link/x"])
    expect(decideAll(policy, [entry("srv/keep/a"), entry("srv/drop/b"), entry("link", "symlink", "/etc"), entry("link/x")])
      .map(([name, v]) => [name, v._tag])).toEqual([["srv/keep/a", "Restore"], ["srv/drop/b", "Skip"], ["link", "Skip"], ["link/x", "Refuse"]])
  })
})
