import { HttpApiBuilder, HttpApiError, HttpServerError, HttpServerRequest } from "@effect/platform"
import { Cause, Effect, Option } from "effect"
import { XvaultApi } from "../shared/contract/Api.js"
import { describeIssues } from "../shared/contract/describeIssues.js"
import { BadRequest, InternalError, PayloadTooLarge } from "../shared/contract/ApiError.js"
import { MaxRequestBytes } from "./HubConfig.js"

const describeDecodeError = (e: HttpApiError.HttpApiDecodeError) =>
  e.issues.length === 0 ? e.message : describeIssues(e.issues)

const tooLarge = new PayloadTooLarge({ message: `request body exceeds the limit of ${MaxRequestBytes} bytes` })

/**
 * Bad input must never become a 500: schema failures, unparsable JSON and oversized bodies
 * are turned into the API's own 400 and 413 errors, which name the offending field. Real
 * defects become a JSON 500 and are logged.
 */
export const ApiErrorsLive = HttpApiBuilder.middleware(XvaultApi, (app) =>
  Effect.gen(function*() {
    const request = yield* HttpServerRequest.HttpServerRequest
    const declared = Number(request.headers["content-length"] ?? "0")
    if (declared > MaxRequestBytes) return yield* tooLarge
    return yield* app.pipe(
      HttpServerRequest.withMaxBodySize(Option.some(MaxRequestBytes)),
      Effect.catchAllCause((cause: Cause.Cause<unknown>): Effect.Effect<never, BadRequest | PayloadTooLarge | InternalError> => {
        const failure = Cause.failureOption(cause)
        if (Option.isSome(failure) && failure.value instanceof HttpApiError.HttpApiDecodeError) {
          return Effect.fail(new BadRequest({ message: describeDecodeError(failure.value) }))
        }
        const defect = Cause.dieOption(cause)
        if (
          Option.isSome(defect) && defect.value instanceof HttpServerError.RequestError &&
          defect.value.reason === "Decode"
        ) {
          return (defect.value.cause as Error | undefined)?.message === "maxBytes exceeded"
            ? Effect.fail(tooLarge)
            : Effect.fail(new BadRequest({ message: "request body is not valid JSON" }))
        }
        if (Option.isSome(defect)) {
          // the details go to the log; the caller learns only that it was not their fault
          return Effect.zipRight(
            Effect.logError("request failed", cause),
            Effect.fail(new InternalError({ message: "internal error; the Hub log has the details" }))
          )
        }
        return Effect.failCause(cause as Cause.Cause<never>)
      })
    )
  }))
