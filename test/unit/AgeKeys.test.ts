import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { Either } from "effect"
import { execFileSync, spawnSync } from "node:child_process"
import { randomBytes } from "node:crypto"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import {
  ageRecipientOf,
  generateAgeIdentity,
  parseAgeRecipient,
  parseAgeSecretKey
} from "../../src/shared/crypto/AgeKeys.js"
import * as Bech32 from "../../src/shared/crypto/Bech32.js"

describe("Bech32", () => {
  // BIP-173 valid test vectors.
  it.each([
    "A12UEL5L",
    "a12uel5l",
    "an83characterlonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio1tt5tgs",
    "abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw",
    "11" + "q".repeat(82) + "c8247j",
    "split1checkupstagehandshakeupstreamerranterredcaperred2y9e3w",
    "?1ezyfcl"
  ])("round-trips %s", (s) => {
    const decoded = Either.getOrThrow(Bech32.decodeWords(s))
    expect(Bech32.encodeWords(decoded.hrp, decoded.data)).toBe(s)
  })

  it("decodes a BIP-173 address to its bytes", () => {
    const decoded = Either.getOrThrow(Bech32.decodeWords("BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4"))
    expect(decoded.hrp).toBe("BC")
    const program = Either.getOrThrow(Bech32.decode(Bech32.encodeWords("bc", decoded.data.slice(1))))
    expect(Buffer.from(program.data).toString("hex")).toBe("751e76e8199196d454941c45d1b3a323f1433bd6")
  })

  // BIP-173 invalid test vectors, plus a flipped checksum character and mixed case.
  it.each([
    "pzry9x0s0muk",
    "1pzry9x0s0muk",
    "x1b4n0q5v",
    "li1dgmt3",
    "A1G7SGD8",
    "10a06t8",
    "1qzzfhee",
    "a12uel5m",
    "A12uEL5L",
    "abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxx"
  ])("rejects %s", (s) => {
    expect(Either.isLeft(Bech32.decodeWords(s))).toBe(true)
  })

  it("names a bad checksum", () => {
    const result = Bech32.decodeWords("a12uel5m")
    expect(Either.isLeft(result) && result.left.reason).toBe("bad checksum")
  })

  it("round-trips bytes past the 90-character limit", () => {
    const bytes = new Uint8Array(randomBytes(100))
    const encoded = Bech32.encode("age", bytes)
    expect(encoded.length).toBeGreaterThan(90)
    expect(Either.getOrThrow(Bech32.decode(encoded))).toEqual({ hrp: "age", data: bytes })
  })
})

describe("age keys", () => {
  let dir: string
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "xvault-age-"))
  })
  afterAll(() => {
    fs.rmSync(dir, { recursive: true, force: true })
  })

  it("generates keys in the age format", () => {
    const { publicKey, secretKey } = generateAgeIdentity()
    expect(publicKey).toMatch(/^age1[02-9ac-hj-np-z]{58}$/)
    expect(secretKey).toMatch(/^AGE-SECRET-KEY-1[02-9AC-HJ-NP-Z]{58}$/)
    expect(ageRecipientOf(secretKey)).toBe(publicKey)
    expect(generateAgeIdentity().secretKey).not.toBe(secretKey)
  })

  it("age-keygen -y derives our public key from our secret key", () => {
    const { publicKey, secretKey } = generateAgeIdentity()
    const file = path.join(dir, "ours.key")
    fs.writeFileSync(file, `${secretKey}\n`, { mode: 0o600 })
    expect(execFileSync("age-keygen", ["-y", file], { encoding: "utf8" }).trim()).toBe(publicKey)
  })

  it("derives the recipient age-keygen prints for its own key", () => {
    const file = path.join(dir, "theirs.key")
    const result = spawnSync("age-keygen", ["-o", file], { encoding: "utf8" })
    expect(result.status).toBe(0)
    const printed = /Public key: (age1\S+)/.exec(result.stderr)?.[1]
    const secretLine = fs.readFileSync(file, "utf8").split("\n").find((l) => l.startsWith("AGE-SECRET-KEY-1"))
    expect(printed).toBeDefined()
    expect(ageRecipientOf(secretLine!)).toBe(printed)
    expect(parseAgeSecretKey(secretLine!).pipe(Either.map((k) => k.length))).toEqual(Either.right(32))
  })

  it("age encrypts to our recipient and decrypts with our identity", () => {
    const { publicKey, secretKey } = generateAgeIdentity()
    const file = path.join(dir, "roundtrip.key")
    fs.writeFileSync(file, `${secretKey}\n`, { mode: 0o600 })
    const plaintext = randomBytes(4096)
    const ciphertext = execFileSync("age", ["-r", publicKey], { input: plaintext })
    expect(ciphertext.subarray(0, 21).toString()).toBe("age-encryption.org/v1")
    expect(execFileSync("age", ["-d", "-i", file], { input: ciphertext }).equals(plaintext)).toBe(true)
  })

  it("rejects malformed keys and swapped kinds", () => {
    const { publicKey, secretKey } = generateAgeIdentity()
    expect(Either.isRight(parseAgeRecipient(publicKey))).toBe(true)
    for (const bad of [
      secretKey,
      publicKey.toUpperCase(),
      publicKey.slice(0, -1) + (publicKey.endsWith("q") ? "p" : "q"),
      Bech32.encode("age", new Uint8Array(31)),
      ""
    ]) {
      const result = parseAgeRecipient(bad)
      expect(Either.isLeft(result) && result.left._tag).toBe("AgeKeyInvalid")
    }
    for (const bad of [publicKey, secretKey.toLowerCase(), secretKey.slice(0, -2)]) {
      expect(Either.isLeft(parseAgeSecretKey(bad))).toBe(true)
    }
    expect(() => ageRecipientOf(publicKey)).toThrow(/not an age secret key/)
  })
})
