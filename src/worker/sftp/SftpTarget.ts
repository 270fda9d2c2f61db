import type { Redacted } from "effect"

export type SftpCredentials =
  | { readonly _tag: "password"; readonly password: Redacted.Redacted<string> }
  | {
    readonly _tag: "privateKey"
    readonly privateKey: Redacted.Redacted<string>
    readonly passphrase?: Redacted.Redacted<string> | undefined
  }

/** Where and how to log in. */
export interface SftpTarget {
  readonly host: string
  readonly port: number
  readonly username: string
  readonly credentials: SftpCredentials
  /** Pinned "SHA256:<base64>" fingerprint; null trusts the first key seen (read it back from `SftpConnection.hostKey`). */
  readonly hostKey: string | null
  readonly readyTimeoutMs?: number | undefined
}
