import { readFile } from "node:fs/promises"
import { Effect, Option, Redacted } from "effect"
import type { SourceCredentials } from "../shared/contract/SftpSource.js"
import { InputInvalid } from "./InputInvalid.js"

/** Secrets come from stdin or files, never from flags (which process listings and shell history show). */
export const readStdinSecret = (what: string) =>
  Effect.tryPromise({
    try: async () => {
      if (process.stdin.isTTY) process.stderr.write(`${what}: `)
      const chunks: Array<Buffer> = []
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
      return Buffer.concat(chunks).toString("utf8").replace(/\r?\n$/, "")
    },
    catch: () => new InputInvalid({ message: `could not read the ${what} from stdin` })
  }).pipe(
    Effect.filterOrFail((s) => s.length > 0, () => new InputInvalid({ message: `the ${what} on stdin is empty` })),
    Effect.map(Redacted.make)
  )

export const readSecretFile = (path: string, what: string) =>
  Effect.tryPromise({
    try: () => readFile(path, "utf8"),
    catch: (e) =>
      new InputInvalid({ message: `cannot read the ${what} file ${path}: ${(e as NodeJS.ErrnoException).code ?? "error"}` })
  }).pipe(Effect.map(Redacted.make))

export interface CredentialFlags {
  readonly "password-stdin"?: boolean | undefined
  readonly "private-key-file"?: string | undefined
  readonly "passphrase-stdin"?: boolean | undefined
}

/** The source credentials the flags point at: a password on stdin, or a key file (+ passphrase on stdin). */
export const readCredentials = (flags: CredentialFlags): Effect.Effect<SourceCredentials, InputInvalid> => {
  const keyFile = flags["private-key-file"]
  if (keyFile !== undefined) {
    return Effect.all({
      privateKey: readSecretFile(keyFile, "private key"),
      passphrase: flags["passphrase-stdin"] ? Effect.asSome(readStdinSecret("passphrase")) : Effect.succeedNone
    }).pipe(Effect.map(({ passphrase, privateKey }) => ({
      _tag: "privateKey" as const,
      privateKey,
      ...Option.match(passphrase, { onNone: () => ({}), onSome: (p) => ({ passphrase: p }) })
    })))
  }
  if (flags["password-stdin"]) {
    return Effect.map(readStdinSecret("password"), (password) => ({ _tag: "password" as const, password }))
  }
  return Effect.fail(new InputInvalid({ message: "give credentials with --password-stdin or --private-key-file" }))
}
