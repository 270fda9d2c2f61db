import { Effect } from "effect"
import { CreateSource, type SourceKind } from "../shared/contract/Sources.js"
import { InputInvalid, validateInput } from "./InputInvalid.js"
import { type CredentialFlags, readCredentials } from "./readInput.js"

/** `source create`'s flags: the common ones, and each kind's own (optional to oclif, checked here per kind). */
export interface SourceFlags extends CredentialFlags {
  readonly kind: SourceKind
  readonly name: string
  readonly path: ReadonlyArray<string>
  readonly exclude?: ReadonlyArray<string> | undefined
  readonly host?: string | undefined
  readonly port: number
  readonly username?: string | undefined
  readonly "host-key"?: string | undefined
}

type KindFlag = "host" | "username"

const required = (flags: SourceFlags, flag: KindFlag) => {
  const value = flags[flag]
  return value === undefined
    ? Effect.fail(new InputInvalid({ message: `--${flag} is required for --kind ${flags.kind}` }))
    : Effect.succeed(value)
}

/** Each kind's request from the flags: a kind in the contract without an entry here does not compile. */
const requestOf: { readonly [K in SourceKind]: (flags: SourceFlags) => Effect.Effect<CreateSource, InputInvalid> } = {
  sftp: (flags) =>
    Effect.gen(function*() {
      const host = yield* required(flags, "host")
      const username = yield* required(flags, "username")
      return {
        kind: "sftp",
        name: flags.name,
        host,
        port: flags.port,
        username,
        credentials: yield* readCredentials(flags),
        paths: flags.path,
        excludes: flags.exclude ?? [],
        ...(flags["host-key"] !== undefined ? { hostKey: flags["host-key"] } : {})
      }
    })
}

/** The create request the flags describe, checked against the API schema: bad or missing flags are exit 2 before anything is sent. */
export const sourcePayload = (flags: SourceFlags) =>
  Effect.flatMap(requestOf[flags.kind](flags), (request) => validateInput(CreateSource, request))
