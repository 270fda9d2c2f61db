import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { randomBytes } from "node:crypto"
import {
  type Kek,
  type SealContext,
  keyringOf,
  open,
  openString,
  seal,
  sealString
} from "../../src/shared/crypto/SealedSecret.js"

const kek: Kek = { version: 1, key: new Uint8Array(randomBytes(32)) }
const keyring = keyringOf(kek)
const context: SealContext = { table: "sources", rowId: "3f1c0b9e-row", column: "ssh_private_key" }
const secret = "-----BEGIN OPENSSH PRIVATE KEY----- hunter2"

const failureOf = <A, E>(effect: Effect.Effect<A, E>) => Effect.flip(effect)

describe("SealedSecret", () => {
  it.effect("opens what it sealed", () =>
    Effect.gen(function* () {
      const sealed = sealString(kek, secret, context)
      expect(yield* openString(keyring, sealed, context)).toBe(secret)
      const bytes = new Uint8Array(randomBytes(1000))
      expect(yield* open(keyring, seal(kek, bytes, context), context)).toEqual(bytes)
      expect(yield* open(keyring, seal(kek, new Uint8Array(), context), context)).toEqual(new Uint8Array())
    }))

  it("does not contain the plaintext and differs on every seal", () => {
    const a = Buffer.from(sealString(kek, secret, context))
    const b = Buffer.from(sealString(kek, secret, context))
    expect(a.includes(Buffer.from(secret))).toBe(false)
    expect(a.includes(Buffer.from(secret.slice(0, 8)))).toBe(false)
    expect(a.equals(b)).toBe(false)
  })

  it("has the documented layout", () => {
    const sealed = sealString({ version: 0x0102, key: kek.key }, "abc", context)
    expect(sealed.length).toBe(1 + 2 + 12 + 3 + 16)
    expect(Array.from(sealed.subarray(0, 3))).toEqual([1, 0x01, 0x02])
  })

  it.effect.each<[string, SealContext]>([
    ["another row", { ...context, rowId: "other-row" }],
    ["another column", { ...context, column: "password" }],
    ["another table", { ...context, table: "tenants" }]
  ])("fails to open when moved to %s", ([, moved]) =>
    Effect.gen(function* () {
      const error = yield* failureOf(openString(keyring, sealString(kek, secret, context), moved))
      expect(error._tag).toBe("SealedSecretUnreadable")
      expect(error.reason).toMatch(/authentication failed/)
    }))

  it.effect("does not confuse context parts whose concatenation matches", () =>
    Effect.gen(function* () {
      const sealed = sealString(kek, secret, { table: "a", rowId: "bc", column: "x" })
      const error = yield* failureOf(open(keyring, sealed, { table: "ab", rowId: "c", column: "x" }))
      expect(error._tag).toBe("SealedSecretUnreadable")
    }))

  it.effect("fails when any byte is flipped", () =>
    Effect.gen(function* () {
      const sealed = sealString(kek, secret, context)
      for (let i = 0; i < sealed.length; i++) {
        const tampered = Uint8Array.from(sealed)
        tampered[i]! ^= 0x01
        const error = yield* failureOf(open(keyring, tampered, context))
        expect(error._tag).toBe("SealedSecretUnreadable")
      }
    }))

  it.effect("fails on truncated input", () =>
    Effect.gen(function* () {
      const sealed = sealString(kek, secret, context)
      for (const length of [0, 1, 3, 30]) {
        const error = yield* failureOf(open(keyring, sealed.subarray(0, length), context))
        expect(error.reason).toBe("truncated")
      }
      const error = yield* failureOf(open(keyring, sealed.subarray(0, sealed.length - 1), context))
      expect(error._tag).toBe("SealedSecretUnreadable")
    }))

  it.effect("names an unknown key version", () =>
    Effect.gen(function* () {
      const sealed = sealString({ version: 3, key: kek.key }, secret, context)
      const error = yield* failureOf(open(keyring, sealed, context))
      expect(error.reason).toBe("unknown key version 3")
      expect(error.message).toContain("unknown key version 3")
    }))

  it.effect("opens old blobs after rotation and rejects a wrong key", () =>
    Effect.gen(function* () {
      const next: Kek = { version: 2, key: new Uint8Array(randomBytes(32)) }
      const old = sealString(kek, secret, context)
      const rotated = keyringOf(kek, next)
      expect(yield* openString(rotated, old, context)).toBe(secret)
      expect(yield* openString(rotated, sealString(next, secret, context), context)).toBe(secret)
      const wrongKey = keyringOf({ version: 1, key: next.key })
      const error = yield* failureOf(open(wrongKey, old, context))
      expect(error.reason).toMatch(/wrong key/)
    }))

  it.effect("never puts key or plaintext bytes in the error", () =>
    Effect.gen(function* () {
      const error = yield* failureOf(openString(keyring, sealString(kek, secret, context), { ...context, rowId: "x" }))
      const rendered = `${error.message} ${String(error)} ${JSON.stringify(error)}`
      expect(rendered).not.toContain(secret)
      expect(rendered).not.toContain(Buffer.from(kek.key).toString("hex"))
      expect(rendered).not.toContain(Buffer.from(kek.key).toString("base64"))
    }))

  it("refuses to seal with an invalid KEK", () => {
    expect(() => sealString({ version: 1, key: new Uint8Array(16) }, secret, context)).toThrow(RangeError)
    expect(() => sealString({ version: 0, key: kek.key }, secret, context)).toThrow(RangeError)
    expect(() => sealString({ version: 0x10000, key: kek.key }, secret, context)).toThrow(RangeError)
  })
})
