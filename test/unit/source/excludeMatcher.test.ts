import { describe, expect, it } from "@effect/vitest"
import { excludeMatcher, globToRegExp } from "../../../src/worker/source/excludeMatcher.js"

const file = (patterns: ReadonlyArray<string>, path: string) => excludeMatcher(patterns)(path, false)
const dir = (patterns: ReadonlyArray<string>, path: string) => excludeMatcher(patterns)(path, true)

describe("globToRegExp", () => {
  it("keeps * and ? inside one path component", () => {
    expect(globToRegExp("*.log").test("app.log")).toBe(true)
    expect(globToRegExp("/var/*.log").test("/var/app.log")).toBe(true)
    expect(globToRegExp("/var/*.log").test("/var/old/app.log")).toBe(false)
    expect(globToRegExp("/a/?/c").test("/a/b/c")).toBe(true)
    expect(globToRegExp("/a/?/c").test("/a///c")).toBe(false)
    expect(globToRegExp("?").test("é")).toBe(true)
  })

  it("lets ** cross directories, and a/**/b match a/b", () => {
    expect(globToRegExp("/srv/**/cache").test("/srv/a/b/cache")).toBe(true)
    expect(globToRegExp("/srv/**/cache").test("/srv/cache")).toBe(true)
    expect(globToRegExp("/srv/**").test("/srv/a/b")).toBe(true)
    expect(globToRegExp("/srv/**").test("/srv")).toBe(false)
    expect(globToRegExp("/srv/**.tmp").test("/srv/a/b.tmp")).toBe(true)
  })

  it("supports bracket expressions that never match '/'", () => {
    expect(globToRegExp("file[0-9]").test("file7")).toBe(true)
    expect(globToRegExp("file[!0-9]").test("file7")).toBe(false)
    expect(globToRegExp("file[!0-9]").test("filex")).toBe(true)
    expect(globToRegExp("a[/]b").test("a/b")).toBe(false)
    expect(globToRegExp("a[!x]b").test("a/b")).toBe(false)
    expect(globToRegExp("[]]").test("]")).toBe(true)
  })

  it("treats regex characters and an unclosed bracket literally, and honours backslash escapes", () => {
    expect(globToRegExp("a.b+(c)").test("a.b+(c)")).toBe(true)
    expect(globToRegExp("a.b").test("axb")).toBe(false)
    expect(globToRegExp("[abc").test("[abc")).toBe(true)
    expect(globToRegExp("\\*").test("*")).toBe(true)
    expect(globToRegExp("\\*").test("x")).toBe(false)
  })
})

describe("excludeMatcher", () => {
  it("matches a pattern without '/' against the entry's basename at any depth", () => {
    expect(file(["*.tmp"], "/srv/a/b/x.tmp")).toBe(true)
    expect(dir(["node_modules"], "/srv/app/node_modules")).toBe(true)
    expect(file(["node_modules"], "/srv/node_modules_old")).toBe(false)
    expect(file(["*.tmp"], "/srv/x.tmp.keep")).toBe(false)
  })

  it("matches a pattern with '/' against the absolute path, relative ones anchored at '/'", () => {
    expect(dir(["/srv/cache"], "/srv/cache")).toBe(true)
    expect(dir(["/srv/cache"], "/other/srv/cache")).toBe(false)
    expect(dir(["srv/cache"], "/srv/cache")).toBe(true)
    expect(file(["/srv/*/secret"], "/srv/app/secret")).toBe(true)
    expect(file(["/srv/*/secret"], "/srv/app/deep/secret")).toBe(false)
    expect(file(["/srv/**/secret"], "/srv/app/deep/secret")).toBe(true)
  })

  it("applies a trailing '/' to directories only", () => {
    expect(dir(["cache/"], "/srv/cache")).toBe(true)
    expect(file(["cache/"], "/srv/cache")).toBe(false)
    expect(dir(["/srv/cache/"], "/srv/cache")).toBe(true)
  })

  it("excludes nothing without patterns, and ignores empty ones", () => {
    expect(file([], "/srv/x")).toBe(false)
    expect(file(["", "/"], "/srv/x")).toBe(false)
  })

  it("matches if any pattern matches", () => {
    expect(file(["*.log", "*.tmp"], "/srv/x.tmp")).toBe(true)
  })
})
