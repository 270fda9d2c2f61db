import { createHmac, randomUUID } from "node:crypto"
import { Data, Effect, Either, Redacted, Schema } from "effect"
import { decodeProtectedHeader, errors, jwtVerify } from "jose"
import { TenantId, WorkerId } from "../contract/Ids.js"
import { Principal, Role } from "./Principal.js"

// Verification (the part where a mistake lets someone in) is jose's. `mint` stays a synchronous
// HMAC over two JSON parts: the CLI, test helpers and bench need a token without a Promise, and
// jose signs only through Promises.

/** Why a token was refused; the text is safe to show (it never contains the token). */
export class TokenInvalid extends Data.TaggedError("TokenInvalid")<{ readonly reason: string }> {}

const Claims = Schema.Struct({
  sub: Schema.String,
  role: Role,
  tenant_id: Schema.optional(TenantId),
  worker_id: Schema.optional(WorkerId),
  iat: Schema.Number,
  exp: Schema.Number,
  jti: Schema.optional(Schema.String)
})
type Claims = typeof Claims.Type

const b64url = (data: Buffer | string) => Buffer.from(data).toString("base64url")
const hmac = (secret: Redacted.Redacted<string>, input: string) =>
  createHmac("sha256", Redacted.value(secret)).update(input).digest()

export interface MintOptions {
  readonly role: Role
  readonly subject?: string
  readonly tenantId?: TenantId
  readonly workerId?: WorkerId
  readonly ttlSeconds: number
  readonly now?: Date
}

/** Signs an HS256 JWT. Role-scoped ids are required where the role needs one. */
export const mint = (secret: Redacted.Redacted<string>, options: MintOptions): string => {
  const iat = Math.floor((options.now ?? new Date()).getTime() / 1000)
  const claims: Claims = {
    sub: options.subject ?? options.workerId ?? options.tenantId ?? options.role,
    role: options.role,
    ...(options.tenantId ? { tenant_id: options.tenantId } : {}),
    ...(options.workerId ? { worker_id: options.workerId } : {}),
    iat,
    exp: iat + options.ttlSeconds,
    jti: randomUUID()
  }
  const signingInput = `${b64url(JSON.stringify({ alg: "HS256", typ: "JWT" }))}.${b64url(JSON.stringify(claims))}`
  return `${signingInput}.${b64url(hmac(secret, signingInput))}`
}

const toPrincipal = (claims: Claims): Either.Either<Principal, TokenInvalid> => {
  switch (claims.role) {
    case "admin":
      return Either.right({ role: "admin", subject: claims.sub })
    case "tenant":
      return claims.tenant_id
        ? Either.right({ role: "tenant", subject: claims.sub, tenantId: claims.tenant_id })
        : Either.left(new TokenInvalid({ reason: "tenant token without tenant_id" }))
    case "worker":
      return claims.worker_id
        ? Either.right({ role: "worker", subject: claims.sub, workerId: claims.worker_id })
        : Either.left(new TokenInvalid({ reason: "worker token without worker_id" }))
  }
}

const secretKey = (secret: Redacted.Redacted<string>) => new TextEncoder().encode(Redacted.value(secret))

/** jose's refusals, as reasons that are safe to show. */
const reasonFor = (error: unknown, alg: string): string => {
  if (error instanceof errors.JOSEAlgNotAllowed) return `algorithm ${alg} is not accepted`
  if (error instanceof errors.JWSSignatureVerificationFailed) return "bad signature"
  if (error instanceof errors.JWTExpired) return "token expired"
  if (error instanceof errors.JWTClaimValidationFailed) return `invalid claim ${error.claim}`
  return "malformed token claims"
}

/** Verifies signature (HS256 only: `alg: none` and every other algorithm are refused) and expiry. */
export const verify = (
  secret: Redacted.Redacted<string>,
  token: string,
  now: Date
): Effect.Effect<Principal, TokenInvalid> =>
  Effect.gen(function*() {
    if (token.split(".").length !== 3) return yield* new TokenInvalid({ reason: "not a JWT" })
    const header = yield* Effect.try({
      try: () => decodeProtectedHeader(token),
      catch: () => new TokenInvalid({ reason: "malformed token header" })
    })
    const alg = typeof header.alg === "string" ? header.alg : "(none given)"
    const { payload } = yield* Effect.tryPromise({
      try: () => jwtVerify(token, secretKey(secret), { algorithms: ["HS256"], currentDate: now }),
      catch: (e) => new TokenInvalid({ reason: reasonFor(e, alg) })
    })
    const claims = yield* Schema.decodeUnknown(Claims)(payload).pipe(
      Effect.mapError(() => new TokenInvalid({ reason: "malformed token claims" }))
    )
    return yield* toPrincipal(claims)
  })
