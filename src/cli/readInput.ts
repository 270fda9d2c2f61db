import { readFile } from "node:fs/promises"
import { Effect, Redacted } from "effect"
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
