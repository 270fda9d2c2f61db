import { describe, expect, it } from "vitest"
import { ConfigProvider, Effect, Exit } from "effect"
import { randomBytes } from "node:crypto"
import { KekConfig, KekRingConfig } from "../../src/shared/crypto/Kek.js"

const load = (env: Record<string, string>) =>
  Effect.runSyncExit(ConfigProvider.fromMap(new Map(Object.entries(env))).load(KekConfig))

const errorText = (env: Record<string, string>): string => {
  const exit = load(env)
  if (Exit.isSuccess(exit)) throw new Error("expected the KEK config to fail")
  const error = Effect.runSync(Effect.flip(Effect.failCause(exit.cause)))
  return `${String(error)} ${error.message} ${JSON.stringify(error)}`
}

describe("KekConfig", () => {
  it("parses base64 of 32 bytes, version 1 by default", () => {
    const key = randomBytes(32)
    const exit = load({ HUB_ENCRYPTION_KEK: key.toString("base64") })
    expect(Exit.isSuccess(exit) && exit.value).toEqual({ version: 1, key: new Uint8Array(key) })
  })

  it("reads HUB_ENCRYPTION_KEK_VERSION", () => {
    const exit = load({ HUB_ENCRYPTION_KEK: randomBytes(32).toString("base64"), HUB_ENCRYPTION_KEK_VERSION: "7" })
    expect(Exit.isSuccess(exit) && exit.value.version).toBe(7)
  })

  it.each([
    ["16 bytes", randomBytes(16).toString("base64"), /got 16 bytes/],
    ["33 bytes", randomBytes(33).toString("base64"), /got 33 bytes/],
    ["not base64", "this-is-not-base64!!-s3cr3t-value", /not standard base64/],
    ["url-safe base64", "_-" + randomBytes(32).toString("base64").slice(2), /not standard base64/],
    ["base64 with spaces", ` ${randomBytes(32).toString("base64")}`, /not standard base64/],
    ["empty", "", /empty/]
  ])("rejects %s, naming the variable but not the value", (_, value, problem) => {
    const text = errorText({ HUB_ENCRYPTION_KEK: value })
    expect(text).toContain("HUB_ENCRYPTION_KEK")
    expect(text).toMatch(/exactly 32 bytes/)
    expect(text).toMatch(problem)
    if (value.trim() !== "") expect(text).not.toContain(value.trim())
  })

  it("reports a missing key by name", () => {
    expect(errorText({})).toContain("HUB_ENCRYPTION_KEK")
  })

  it.each(["0", "65536", "1.5", "abc"])("rejects key version %s", (version) => {
    const text = errorText({ HUB_ENCRYPTION_KEK: randomBytes(32).toString("base64"), HUB_ENCRYPTION_KEK_VERSION: version })
    expect(text).toContain("HUB_ENCRYPTION_KEK_VERSION")
  })
})

describe("KekRingConfig (rotation)", () => {
  const loadRing = (env: Record<string, string>) =>
    Effect.runSyncExit(ConfigProvider.fromMap(new Map(Object.entries(env))).load(KekRingConfig))
  const current = randomBytes(32).toString("base64")

  it("holds the current key and the previous ones, by version", () => {
    const old1 = randomBytes(32)
    const old2 = randomBytes(32)
    const exit = loadRing({
      HUB_ENCRYPTION_KEK: current,
      HUB_ENCRYPTION_KEK_VERSION: "3",
      HUB_ENCRYPTION_KEK_PREVIOUS: `1:${old1.toString("base64")}, 2:${old2.toString("base64")}`
    })
    expect(Exit.isSuccess(exit)).toBe(true)
    if (Exit.isSuccess(exit)) {
      expect(exit.value.current.version).toBe(3)
      expect(exit.value.previous).toEqual([{ version: 1, key: new Uint8Array(old1) }, { version: 2, key: new Uint8Array(old2) }])
    }
  })

  it.each([
    ["an entry without a version", (k: string) => k, /entry 1 must look like VERSION:BASE64KEY/],
    ["a short key", (_: string) => `1:${randomBytes(8).toString("base64")}`, /entry 1 must be base64 of exactly 32 bytes, got 8 bytes/],
    ["version 0", (k: string) => `0:${k}`, /entry 1's version must be an integer in 1..65535/],
    ["the current version again", (k: string) => `1:${k}`, /repeats a key version/]
  ])("rejects %s, naming the variable but not the key", (_, previous, problem) => {
    const old = randomBytes(32).toString("base64")
    const exit = loadRing({ HUB_ENCRYPTION_KEK: current, HUB_ENCRYPTION_KEK_PREVIOUS: previous(old) })
    expect(Exit.isFailure(exit)).toBe(true)
    const text = Exit.isFailure(exit) ? String(Effect.runSync(Effect.flip(Effect.failCause(exit.cause)))) : ""
    expect(text).toContain("HUB_ENCRYPTION_KEK_PREVIOUS")
    expect(text).toMatch(problem)
    expect(text).not.toContain(old)
    expect(text).not.toContain(current)
  })
})
