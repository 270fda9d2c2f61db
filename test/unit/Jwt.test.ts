import { createHmac } from "node:crypto"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Redacted } from "effect"
import { mint, verify } from "../../src/shared/auth/Jwt.js"
import type { TenantId, WorkerId } from "../../src/shared/contract/Ids.js"

const secret = Redacted.make("unit-test-secret-unit-test-secret-0001")
const now = new Date("2026-11-28T12:00:00Z")
const tenantId = "6f1c2a52-8d7e-4a53-9d1f-0c2b9e6a1f00" as TenantId

const reasonOf = (token: string, at = now) =>
  Effect.runPromise(Effect.either(verify(secret, token, at))).then(
    Either.match({ onLeft: (e) => e.reason, onRight: () => "accepted" })
  )

const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url")

describe("JWT (HS256)", async () => {
  it("a minted token verifies to the principal it names", async () => {
    const admin = await Effect.runPromise(verify(secret, mint(secret, { role: "admin", subject: "ops", ttlSeconds: 60, now }), now))
    expect(admin).toEqual({ role: "admin", subject: "ops" })
    const tenant = await Effect.runPromise(verify(secret, mint(secret, { role: "tenant", tenantId, ttlSeconds: 60, now }), now))
    expect(tenant).toEqual({ role: "tenant", subject: tenantId, tenantId })
    const worker = await Effect.runPromise(
      verify(secret, mint(secret, { role: "worker", workerId: "w-1" as WorkerId, ttlSeconds: 60, now }), now)
    )
    expect(worker).toEqual({ role: "worker", subject: "w-1", workerId: "w-1" })
  })

  it("expires exactly at exp", async () => {
    const token = mint(secret, { role: "admin", ttlSeconds: 60, now })
    expect(await reasonOf(token, new Date(now.getTime() + 59_000))).toBe("accepted")
    expect(await reasonOf(token, new Date(now.getTime() + 60_000))).toBe("token expired")
  })

  it("refuses alg:none, other algorithms, other keys and tampered claims", async () => {
    const token = mint(secret, { role: "tenant", tenantId, ttlSeconds: 60, now })
    const [, claims, signature] = token.split(".") as [string, string, string]
    expect(await reasonOf(`${part({ alg: "none", typ: "JWT" })}.${claims}.`)).toBe("algorithm none is not accepted")
    expect(await reasonOf(`${part({ alg: "RS256" })}.${claims}.${signature}`)).toBe("algorithm RS256 is not accepted")
    const other = mint(Redacted.make("another-secret-another-secret-0000000"), { role: "admin", ttlSeconds: 60, now })
    expect(await reasonOf(other)).toBe("bad signature")
    const escalated = part({ ...JSON.parse(Buffer.from(claims, "base64url").toString()), role: "admin" })
    expect(await reasonOf(`${token.split(".")[0]}.${escalated}.${signature}`)).toBe("bad signature")
  })

  it("refuses garbage and role claims without their id", async () => {
    expect(await reasonOf("not-a-token")).toBe("not a JWT")
    expect(await reasonOf("a.b.c")).toBe("malformed token header")
    const header = part({ alg: "HS256", typ: "JWT" })
    const unsigned = `${header}.${part({ sub: "x", role: "tenant", iat: 0, exp: 4e9 })}`
    const signed = `${unsigned}.${createHmac("sha256", Redacted.value(secret)).update(unsigned).digest("base64url")}`
    expect(await reasonOf(signed)).toBe("tenant token without tenant_id")
  })
})
