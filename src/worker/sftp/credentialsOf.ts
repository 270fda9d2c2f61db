import { Redacted } from "effect"
import ssh2 from "ssh2"
import type { ConnectContext } from "./describeConnectError.js"
import type { SftpTarget } from "./SftpTarget.js"
import { SourceFailed } from "../source/SourceFailed.js"

// ssh2 is CommonJS: Node's ESM loader exposes only its default export at run time.
const { utils } = ssh2

export type Credentials =
  | { readonly password: string }
  | { readonly privateKey: string; readonly passphrase?: string }

/** The target's secret in the clear, for the transport to hand over; a key that cannot be used fails here. */
export const credentialsOf = (target: SftpTarget, context: Pick<ConnectContext, "endpoint">): Credentials | SourceFailed => {
  const { credentials } = target
  if (credentials._tag === "password") return { password: Redacted.value(credentials.password) }
  const privateKey = Redacted.value(credentials.privateKey)
  const passphrase = credentials.passphrase === undefined ? undefined : Redacted.value(credentials.passphrase)
  // Parse up front, for either transport: ssh2 throws from connect() otherwise, and ssh would only say "permission
  // denied". ssh2's messages are fixed strings without key material.
  const parsed = utils.parseKey(privateKey, passphrase)
  if (parsed instanceof Error) {
    return new SourceFailed({
      reason: "auth",
      message: `the private key for user ${target.username} at ${context.endpoint} cannot be used: ${parsed.message}`
    })
  }
  return passphrase === undefined ? { privateKey } : { privateKey, passphrase }
}

