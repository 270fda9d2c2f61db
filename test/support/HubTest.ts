import { HttpApiClient, HttpClient, HttpClientRequest } from "@effect/platform"
import { NodeHttpServer } from "@effect/platform-node"
import { SqlClient } from "@effect/sql"
import { ConfigProvider, Context, Effect, Layer, Logger, LogLevel, Redacted } from "effect"
import { HubHttpLive } from "../../src/hub/Main.js"
import { SqlLive } from "../../src/hub/Sql.js"
import { mint, type MintOptions } from "../../src/shared/auth/Jwt.js"
import { XvaultApi } from "../../src/shared/contract/Api.js"
import { Redis } from "../../src/shared/queue/Redis.js"
import { freshDatabase } from "./Database.js"
import { redisUrl, testJwtSecret, testKekBase64 } from "./env.js"
import { isolatedQueuePrefix } from "./QueuePrefix.js"

export class TestDatabase extends Context.Tag("test/TestDatabase")<TestDatabase, { readonly name: string; readonly url: string }>() {}

const TestDatabaseLive = Layer.scoped(TestDatabase, freshDatabase())

/** The Hub's configuration, as a Hub process would read it from its environment. */
export const hubConfig = (databaseUrl: string, queuePrefix: string) =>
  ConfigProvider.fromMap(new Map([
    ["DATABASE_URL", databaseUrl],
    ["XVAULT_QUEUE_PREFIX", queuePrefix],
    // short leases and backoff so lease expiry and retries are observable within a test
    ["HUB_JOB_LEASE_SECONDS", "2"],
    ["HUB_RETRY_BASE_SECONDS", "0"],
    ["HUB_SWEEP_INTERVAL_SECONDS", "0.2"],
    ["REDIS_URL", redisUrl],
    ["HUB_JWT_SECRET", testJwtSecret],
    ["HUB_ENCRYPTION_KEK", testKekBase64]
  ]))

const ConfigFromTestDatabase = Layer.unwrapScoped(
  Effect.gen(function*() {
    const db = yield* TestDatabase
    return Layer.setConfigProvider(hubConfig(db.url, yield* isolatedQueuePrefix(db.name)))
  })
)

/**
 * The real Hub API on a real HTTP server (random port) over a fresh PostgreSQL database and
 * the real Redis. Provides an HttpClient aimed at the server, and SqlClient for assertions.
 */
export const HubTestLive = HubHttpLive.pipe(
  // request logs would drown the test report; warnings and errors still show
  Layer.provide(Logger.minimumLogLevel(LogLevel.Warning)),
  Layer.provideMerge(NodeHttpServer.layerTest),
  Layer.provideMerge(Layer.mergeAll(SqlLive, Redis.Default)),
  Layer.provide(ConfigFromTestDatabase),
  Layer.provideMerge(TestDatabaseLive)
)

export const tokenFor = (options: Omit<MintOptions, "ttlSeconds"> & { readonly ttlSeconds?: number }) =>
  mint(Redacted.make(testJwtSecret), { ttlSeconds: 600, ...options })

export const adminToken = () => tokenFor({ role: "admin", subject: "test-admin" })

/** The typed client the CLI uses, sending the given bearer token (or none). */
export const clientAs = (token: string | undefined) =>
  HttpApiClient.make(XvaultApi, {
    transformClient: token === undefined ? undefined : HttpClient.mapRequest(HttpClientRequest.bearerToken(token))
  })

export const sql = SqlClient.SqlClient

/** A raw request, for what the typed client would refuse to send (bad bodies, bad JSON). */
export const rawRequest = (
  method: "GET" | "POST",
  path: string,
  options: { readonly token?: string; readonly body?: string; readonly contentType?: string } = {}
) =>
  Effect.gen(function*() {
    const client = yield* HttpClient.HttpClient
    let request = HttpClientRequest.make(method)(path)
    if (options.token) request = HttpClientRequest.bearerToken(request, options.token)
    if (options.body !== undefined) {
      request = HttpClientRequest.bodyText(request, options.body, options.contentType ?? "application/json")
    }
    const response = yield* client.execute(request)
    const text = yield* response.text
    return { status: response.status, headers: response.headers, text, json: () => JSON.parse(text) as unknown }
  }).pipe(Effect.scoped)
