import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpApiClient from "@effect/platform/HttpApiClient"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { Config, Effect, Option, Redacted } from "effect"
import { HubBaseUrl } from "../shared/config/Urls.js"
import { XvaultApi } from "../shared/contract/Api.js"

export interface HubFlags {
  readonly "hub-url"?: string | undefined
  readonly token?: string | undefined
}

export const XvaultToken = Config.option(Config.redacted("XVAULT_TOKEN"))

/** Where the Hub is and who we are: flags first, then HUB_BASE_URL and XVAULT_TOKEN. */
export const hubConnection = (flags: HubFlags) =>
  Effect.gen(function*() {
    const baseUrl = flags["hub-url"] ?? (yield* HubBaseUrl)
    const token = flags.token !== undefined ? Option.some(Redacted.make(flags.token)) : yield* XvaultToken
    return { baseUrl, token } as const
  })

/** The typed client generated from the same HttpApi definition the Hub serves. */
export const makeHubClient = (flags: HubFlags) =>
  Effect.gen(function*() {
    const { baseUrl, token } = yield* hubConnection(flags)
    return yield* HttpApiClient.make(XvaultApi, {
      baseUrl,
      transformClient: Option.match(token, {
        onNone: () => (client: HttpClient.HttpClient) => client,
        onSome: (t) => HttpClient.mapRequest(HttpClientRequest.bearerToken(Redacted.value(t)))
      })
    })
  }).pipe(Effect.provide(FetchHttpClient.layer))

export type HubApiClient = Effect.Effect.Success<ReturnType<typeof makeHubClient>>
