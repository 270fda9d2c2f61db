import { afterAll, describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Either, Stream } from "effect"
import { execFileSync } from "node:child_process"
import { randomBytes } from "node:crypto"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { AgeError, parseAgeHeader, unwrapFileKey } from "../../src/shared/crypto/age/Age.js"
import { ageDecrypt, ageEncryptor } from "../../src/worker/artifact/AgeStream.js"
import { generateAgeIdentity } from "../../src/shared/crypto/AgeKeys.js"

// Interoperability is the point of the format: every case runs against the real `age` CLI.

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "xvault-age-"))
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

const ours = generateAgeIdentity()
const other = generateAgeIdentity()
const keyFile = path.join(dir, "ours.key")
fs.writeFileSync(keyFile, `# created: 2024-01-01T00:00:00Z\n# public key: ${ours.publicKey}\n${ours.secretKey}\n`)

const age = (args: ReadonlyArray<string>, input: Uint8Array) => execFileSync("age", args, { input, maxBuffer: 1 << 30 })

const collect = <E>(s: Stream.Stream<Uint8Array, E>) =>
  Stream.runCollect(s).pipe(Effect.map((c) => Buffer.concat(Chunk.toArray(c))))

// Uneven pieces, so chunk boundaries never line up with the input's.
const pieces = (bytes: Uint8Array, sizes = [1000, 70_000, 3]) => {
  const out: Array<Uint8Array> = []
  for (let i = 0, k = 0; i < bytes.length; k++) out.push(bytes.subarray(i, (i += sizes[k % sizes.length]!)))
  return Stream.fromIterable(out)
}

const encrypt = (plaintext: Uint8Array, recipients = [ours.publicKey]) =>
  collect(ageEncryptor(recipients).encrypt(pieces(plaintext)))

const decrypt = (ciphertext: Uint8Array, key: string | Uint8Array = ours.secretKey) =>
  collect(ageDecrypt(key)(pieces(ciphertext, [777, 65_552, 100_000])))

const failure = (ciphertext: Uint8Array, key: string | Uint8Array = ours.secretKey) =>
  Effect.map(Effect.flip(decrypt(ciphertext, key)), (e) => e.message)

const sizes = [0, 1, 65_536, 65_537, 3 * 65_536, 1024 * 1024 + 123]

describe("Age", () => {
  it.effect.each(sizes)("age -d decrypts what we encrypt (%d bytes)", (size) =>
    Effect.gen(function* () {
      const plaintext = randomBytes(size)
      const ciphertext = yield* encrypt(plaintext)
      expect(age(["-d", "-i", keyFile], ciphertext).equals(plaintext)).toBe(true)
      // Bytes on the wire: 64 KiB chunks (at least one) with a 16-byte tag each.
      const chunks = Math.max(1, Math.ceil(size / 65_536))
      expect(ciphertext.length).toBe(ciphertext.indexOf("\n--- ") + 49 + 16 + size + 16 * chunks)
    }))

  it.effect.each(sizes)("we decrypt what age -r encrypts (%d bytes)", (size) =>
    Effect.gen(function* () {
      const plaintext = randomBytes(size)
      expect((yield* decrypt(age(["-r", ours.publicKey], plaintext))).equals(plaintext)).toBe(true)
    }))

  it.effect("two recipients, both directions", () =>
    Effect.gen(function* () {
      const plaintext = randomBytes(200_000)
      expect((yield* decrypt(age(["-r", other.publicKey, "-r", ours.publicKey], plaintext))).equals(plaintext)).toBe(true)
      const ciphertext = yield* encrypt(plaintext, [other.publicKey, ours.publicKey])
      expect(age(["-d", "-i", keyFile], ciphertext).equals(plaintext)).toBe(true)
      expect((yield* decrypt(ciphertext, other.secretKey)).equals(plaintext)).toBe(true)
    }))

  it.effect("the header is the file's prefix and parses; each run draws a fresh payload nonce", () =>
    Effect.gen(function* () {
      const encryptor = ageEncryptor([ours.publicKey])
      const first = yield* collect(encryptor.encrypt(Stream.make(Buffer.from("hello"))))
      const second = yield* collect(encryptor.encrypt(Stream.make(Buffer.from("hello"))))
      expect(first.subarray(0, encryptor.header.length).toString("latin1")).toBe(encryptor.header)
      expect(first.equals(second)).toBe(false)
      expect(age(["-d", "-i", keyFile], second).toString()).toBe("hello")
      const header = Either.getOrThrow(parseAgeHeader(first))
      expect(header.text).toBe(encryptor.header)
      expect(header.stanzas.map((s) => s.args[0])).toEqual(["X25519"])
    }))

  it.effect("the file key unwrapped from the header decrypts the file", () =>
    Effect.gen(function* () {
      const plaintext = randomBytes(100_000)
      const ciphertext = age(["-r", ours.publicKey], plaintext)
      const fileKey = Either.getOrThrow(unwrapFileKey(ciphertext, fs.readFileSync(keyFile, "utf8")))
      expect(fileKey.length).toBe(16)
      expect((yield* decrypt(ciphertext, fileKey)).equals(plaintext)).toBe(true)
    }))

  it.effect("a flipped payload byte names the chunk and its offset", () =>
    Effect.gen(function* () {
      const ciphertext = age(["-r", ours.publicKey], randomBytes(3 * 65_536 + 10))
      const payload = ciphertext.indexOf("\n--- ") + 49 + 16
      ciphertext[payload + 65_552 + 100]! ^= 1
      expect(yield* failure(ciphertext)).toBe("payload chunk 1 failed authentication (offset 65536)")
    }))

  it.effect("a truncated file is an error, wherever it is cut", () =>
    Effect.gen(function* () {
      const ciphertext = age(["-r", ours.publicKey], randomBytes(3 * 65_536 + 10))
      const payload = ciphertext.indexOf("\n--- ") + 49 + 16
      expect(yield* failure(ciphertext.subarray(0, payload + 2 * 65_552))).toBe(
        "payload chunk 1 is not the final chunk: the file is truncated (offset 65536)")
      expect(yield* failure(ciphertext.subarray(0, payload + 65_552 + 1000))).toMatch(/^payload chunk 1 failed authentication: the file is truncated/)
      expect(yield* failure(ciphertext.subarray(0, payload))).toBe("payload chunk 0 is missing: the file is truncated (offset 0)")
      expect(yield* failure(ciphertext.subarray(0, 40))).toBe("truncated age file: it ends inside the header")
    }))

  it.effect("a modified header fails its MAC", () =>
    Effect.gen(function* () {
      const text = age(["-r", ours.publicKey], Buffer.from("secret")).toString("latin1")
      const macError = "the age header MAC does not verify: the header was modified, or the file key is not this file's"
      const extraStanza = text.replace("\n---", "\n-> grease x\n\n---")
      expect(yield* failure(Buffer.from(extraStanza, "latin1"))).toBe(macError)
      const mac = text.indexOf("\n--- ") + 5
      const otherMac = text.slice(0, mac) + (text[mac] === "A" ? "B" : "A") + text.slice(mac + 1)
      expect(yield* failure(Buffer.from(otherMac, "latin1"))).toBe(macError)
    }))

  it.effect("the wrong identity, a bad key, or a file that is not age", () =>
    Effect.gen(function* () {
      const ciphertext = age(["-r", ours.publicKey], Buffer.from("secret"))
      expect(yield* failure(ciphertext, other.secretKey)).toMatch(/^no recipient stanza matches this identity/)
      expect(yield* failure(ciphertext, randomBytes(16))).toMatch(/^the age header MAC does not verify/)
      expect(yield* failure(ciphertext, "AGE-SECRET-KEY-1NOPE")).toMatch(/age secret key/)
      expect(yield* failure(Buffer.from("PK\x03\x04 a zip file"))).toMatch(/^not an age file/)
      expect(() => ageEncryptor([])).toThrow(AgeError)
      expect(() => ageEncryptor([ours.publicKey, "age1notakey"])).toThrow(/age recipient/)
    }))

  it("rejects malformed headers (from the age test kit)", () => {
    const stanza = "-> X25519 TEiF0ypqr+bpvcqXNyCVJpL7OuwPdVwPL7KQEbFDOCc\nEmECAEcKN+n/Vs9SbWiV+Hu0r+E8R77DdWYyd83nw7U\n"
    const header = (extra: string) => `age-encryption.org/v1\n${stanza}${extra}--- nQM2VCzmNLPrUurNWN+SW9wVp/9uTMQ/6CTUM7l8c84\n`
    expect(Either.isRight(parseAgeHeader(header("")))).toBe(true)
    const reasons = [
      header(`-> stanza\n${"A".repeat(64)}\n`), // no final short line
      header(`-> stanza\n${"A".repeat(68)}\n\n`), // line over 64 columns
      header(`-> stanza\n${"QUFB".repeat(16)}\nQUE=\n`), // padding
      header("-> stanza  argument\n\n"), // empty argument
      header("-> stanza\nQUF\n"), // non-canonical
      "age-encryption.org/v2\n"
    ].map((h) => Either.flip(parseAgeHeader(h)).pipe(Either.getOrThrow).message)
    for (const reason of reasons) expect(reason).toMatch(/^invalid age header: /)
  })
})
