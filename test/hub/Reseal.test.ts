import { SqlClient } from "@effect/sql"
import { expect, layer } from "@effect/vitest"
import { ConfigProvider, Effect, Layer, Redacted } from "effect"
import { resealAll } from "../../src/hub/Secrets/Reseal.js"
import { Sealer } from "../../src/hub/Secrets/Sealer.js"
import { ageRecipientOf } from "../../src/shared/crypto/AgeKeys.js"
import { keyringOf, keyVersionOf, openString } from "../../src/shared/crypto/SealedSecret.js"
import { testKekBase64 } from "../support/env.js"
import { adminToken, clientAs, HubTestLive } from "../support/HubTest.js"

const newKey = Buffer.alloc(32, 42)
const sealerWith = (env: Record<string, string>) =>
  Sealer.Default.pipe(Layer.provide(Layer.setConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env))))))

const rotated = sealerWith({
  HUB_ENCRYPTION_KEK: newKey.toString("base64"),
  HUB_ENCRYPTION_KEK_VERSION: "2",
  HUB_ENCRYPTION_KEK_PREVIOUS: `1:${testKekBase64}`
})

layer(HubTestLive, { timeout: "60 seconds", excludeTestServices: true })("KEK rotation (real PostgreSQL)", (it) => {
  it.effect("re-seals every secret under the new key, keeps its plaintext, and is idempotent", () =>
    Effect.gen(function*() {
      const hub = yield* clientAs(adminToken())
      const tenant = yield* hub.tenants.create({ payload: { name: "rotate-me" } })
      const base = { host: "127.0.0.1", port: 22, username: "u", paths: ["/data"], excludes: [] }
      const password = yield* hub.sources.create({
        path: { tenantId: tenant.id },
        payload: { ...base, name: "pw", credentials: { _tag: "password", password: Redacted.make("hunter2-rotate") } }
      })
      yield* hub.sources.create({
        path: { tenantId: tenant.id },
        payload: {
          ...base,
          name: "key",
          credentials: {
            _tag: "privateKey",
            privateKey: Redacted.make("-----BEGIN OPENSSH PRIVATE KEY-----\nbody\n"),
            passphrase: Redacted.make("pass")
          }
        }
      })

      const webhook = yield* hub.webhooks.create({
        path: { tenantId: tenant.id },
        payload: { url: "https://93.184.215.14/hook", events: ["backup.failed"] }
      })

      const first = yield* Effect.provide(resealAll, rotated)
      expect(first).toEqual({
        kekVersion: 2,
        resealed: {
          "tenants.age_secret_key_sealed": 1,
          "sources.credential_sealed": 2,
          "sources.passphrase_sealed": 1,
          "webhooks.secret_sealed": 1
        }
      })

      const sql = yield* SqlClient.SqlClient
      const onlyNewKey = keyringOf({ version: 2, key: new Uint8Array(newKey) })
      const [t] = yield* sql<{ sealed: Uint8Array }>`SELECT age_secret_key_sealed AS sealed FROM tenants WHERE id = ${tenant.id}`
      expect(keyVersionOf(t!.sealed)).toBe(2)
      const secretKey = yield* openString(onlyNewKey, t!.sealed, { table: "tenants", rowId: tenant.id, column: "age_secret_key_sealed" })
      expect(ageRecipientOf(secretKey)).toBe(tenant.publicKey)
      const [s] = yield* sql<{ sealed: Uint8Array }>`SELECT credential_sealed AS sealed FROM sources WHERE id = ${password.id}`
      expect(yield* openString(onlyNewKey, s!.sealed, { table: "sources", rowId: password.id, column: "credential_sealed" }))
        .toBe("hunter2-rotate")
      const [w] = yield* sql<{ sealed: Uint8Array }>`SELECT secret_sealed AS sealed FROM webhooks WHERE id = ${webhook.webhook.id}`
      expect(keyVersionOf(w!.sealed)).toBe(2)
      expect(yield* openString(onlyNewKey, w!.sealed, { table: "webhooks", rowId: webhook.webhook.id, column: "secret_sealed" }))
        .toBe(Redacted.value(webhook.secret))

      const second = yield* Effect.provide(resealAll, rotated)
      expect(Object.values(second.resealed)).toEqual([0, 0, 0, 0])

      // a Hub that has the new key but lost the old one cannot open what the old key sealed
      const lost = sealerWith({ HUB_ENCRYPTION_KEK: Buffer.alloc(32, 9).toString("base64"), HUB_ENCRYPTION_KEK_VERSION: "3" })
      const error = yield* Effect.flip(Effect.provide(resealAll, lost))
      expect(error._tag).toBe("SealedSecretUnreadable")
      expect(error.message).toContain("unknown key version 2")
      expect(error.message).toContain("HUB_ENCRYPTION_KEK_PREVIOUS")
      const [after] = yield* sql<{ sealed: Uint8Array }>`SELECT age_secret_key_sealed AS sealed FROM tenants WHERE id = ${tenant.id}`
      expect(keyVersionOf(after!.sealed)).toBe(2)
    }))
})
