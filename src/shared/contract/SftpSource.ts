import { Schema } from "effect"
import { bounded } from "./bounded.js"

/**
 * The `sftp` source kind in the contract: what the API takes to register one, what it shows,
 * and what a worker is handed in a claim. Sources.ts puts each of these into its union.
 */

export const Hostname = Schema.String.pipe(Schema.pattern(/^[A-Za-z0-9.:_-]{1,253}$/)).annotations({
  message: () => "must be a host name or IP address"
})
export const Port = Schema.Int.pipe(Schema.between(1, 65535)).annotations({
  message: () => "must be an integer from 1 to 65535"
})
export const Username = Schema.String.pipe(Schema.pattern(/^[^\s:/\\]{1,64}$/)).annotations({
  message: () => "must be 1-64 characters without spaces, ':', '/' or '\\'"
})
export const HostKeyFingerprint = Schema.String.pipe(Schema.pattern(/^SHA256:[A-Za-z0-9+/]{43}$/)).annotations({
  message: () => "must be an OpenSSH SHA256 fingerprint like SHA256:<43 base64 characters>"
})

/** Write-only: credentials are accepted here and never returned by any endpoint. */
export const SourceCredentials = Schema.Union(
  Schema.TaggedStruct("password", { password: Schema.Redacted(bounded(1024, "a password")) }),
  Schema.TaggedStruct("privateKey", {
    privateKey: Schema.Redacted(bounded(16384, "an OpenSSH or PEM private key")),
    passphrase: Schema.optional(Schema.Redacted(bounded(1024, "a passphrase")))
  })
)
export type SourceCredentials = typeof SourceCredentials.Type

/** A create request's SFTP fields. `kind` may be left out: sftp was the only kind before there were kinds. */
export const CreateSftpFields = {
  kind: Schema.optional(Schema.Literal("sftp")),
  host: Hostname,
  port: Schema.optionalWith(Port, { default: () => 22 }),
  username: Username,
  credentials: SourceCredentials,
  hostKey: Schema.optional(HostKeyFingerprint)
}

/** What the API shows of an SFTP source (never its credentials). */
export const SftpSourceFields = {
  kind: Schema.Literal("sftp"),
  host: Schema.String,
  port: Schema.Int,
  username: Schema.String,
  authMethod: Schema.Literal("password", "privateKey"),
  /** Pinned by the operator, or recorded on first successful connection (trust on first use). */
  hostKey: Schema.NullOr(Schema.String)
}

/** What a worker needs to log in to an SFTP source: handed out in a claim, with the credentials opened. */
export const SftpSpec = Schema.Struct({
  kind: Schema.Literal("sftp"),
  host: Schema.String,
  port: Schema.Int,
  username: Schema.String,
  credentials: SourceCredentials,
  /** null: not yet known; the worker reports what it sees on first connection (trust on first use). */
  hostKey: Schema.NullOr(Schema.String)
})
export type SftpSpec = typeof SftpSpec.Type
