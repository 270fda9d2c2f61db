import { createHmac, randomUUID, timingSafeEqual } from "node:crypto"
import { Data, Effect, Either, Redacted, Schema } from "effect"
import { TenantId, WorkerId } from "../contract/Ids.js"
import { Principal, Role } from "./Principal.js"

// Not jose (6.2): it signs and verifies only through Promises (WebCrypto), while `mint` is called
// synchronously (CLI, test helpers, bench) and the unit tests run `verify` with Effect.runSync.
// The crypto is node:crypto's HMAC and timingSafeEqual; ours is only the alg/expiry policy.

/** Why a token was refused; the text is safe to show (it never contains the token). */
export class TokenInvalid extends Data.TaggedError("TokenInvalid")<{ readonly reason: string }> {}

const Header = Schema.Struct({ alg: Schema.String, typ: Schema.optional(Schema.String) })
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

const parseJsonPart = <A, I>(schema: Schema.Schema<A, I>, part: string, what: string) =>
  Either.try(() => JSON.parse(Buffer.from(part, "base64url").toString("utf8")) as unknown).pipe(
    Either.flatMap(Schema.decodeUnknownEither(schema)),
    Either.mapLeft(() => new TokenInvalid({ reason: `malformed token ${what}` }))
  )

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

/** Verifies signature (HS256 only: `alg: none` and every other algorithm are refused) and expiry. */
export const verify = (
  secret: Redacted.Redacted<string>,
  token: string,
  now: Date
): Effect.Effect<Principal, TokenInvalid> =>
  Effect.gen(function*() {
    const parts = token.split(".")
    if (parts.length !== 3) return yield* new TokenInvalid({ reason: "not a JWT" })
    const [headerPart, claimsPart, signaturePart] = parts as [string, string, string]
    const header = yield* parseJsonPart(Header, headerPart, "header")
    if (header.alg !== "HS256") return yield* new TokenInvalid({ reason: `algorithm ${header.alg} is not accepted` })
    const expected = hmac(secret, `${headerPart}.${claimsPart}`)
    const given = Buffer.from(signaturePart, "base64url")
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      return yield* new TokenInvalid({ reason: "bad signature" })
    }
    const claims = yield* parseJsonPart(Claims, claimsPart, "claims")
    if (claims.exp * 1000 <= now.getTime()) return yield* new TokenInvalid({ reason: "token expired" })
    return yield* toPrincipal(claims)
  })
