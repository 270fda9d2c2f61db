import { describe, expect, it } from "@effect/vitest"
import { ancestorsOf, sourceRoots } from "../../../src/worker/source/sourceRoots.js"

describe("sourceRoots", () => {
  it("normalizes, orders by bytes and drops roots inside other roots", () => {
    expect(sourceRoots(["/srv/data/", "/etc", "/srv//data/sub", "/srv-old", "/etc"])).toEqual(["/etc", "/srv-old", "/srv/data"])
    expect(sourceRoots(["/srv/a/../b", "/srv/./c"])).toEqual(["/srv/b", "/srv/c"])
  })

  it("keeps '/' alone when it is a root", () => {
    expect(sourceRoots(["/home", "/"])).toEqual(["/"])
  })

  it("does not treat a name prefix as nesting", () => {
    expect(sourceRoots(["/srv", "/srv2"])).toEqual(["/srv", "/srv2"])
  })

  it("names the first path that is not absolute", () => {
    expect(sourceRoots(["/ok", "relative/path"])).toEqual({ notAbsolute: "relative/path" })
  })
})

describe("ancestorsOf", () => {
  it("lists the directories above a root, outermost first", () => {
    expect(ancestorsOf("/srv/a/b")).toEqual(["/srv", "/srv/a"])
    expect(ancestorsOf("/srv")).toEqual([])
    expect(ancestorsOf("/")).toEqual([])
  })
})
