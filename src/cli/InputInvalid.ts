import { Data, Effect, Schema } from "effect"
import { describeParseError } from "../shared/contract/describeIssues.js"
import { SourceId, TenantId } from "../shared/contract/Ids.js"

/** Bad flags or local input found by the CLI itself, before anything is sent. */
export class InputInvalid extends Data.TaggedError("InputInvalid")<{ readonly message: string }> {}

/** Checks a request against the API schema before sending it, so bad flags are exit 2 with one line. */
export const validateInput = <A, I>(schema: Schema.Schema<A, I>, value: A) =>
  Schema.validate(schema)(value).pipe(
    Effect.mapError((error) => new InputInvalid({ message: describeParseError(error) }))
  )

/** An id typed by the user, checked before it is sent: `'abc' is not a tenant id`. */
export const parseId = <A>(schema: Schema.Schema<A, string>, value: string, noun: string, label?: string) =>
  Schema.decode(schema)(value).pipe(
    Effect.mapError(() => new InputInvalid({ message: `${label ? `${label} ` : ""}'${value}' is not a ${noun}` }))
  )

export const tenantIdFlag = (value: string) => parseId(TenantId, value, "tenant id", "--tenant-id")

export const sourceIdFlag = (value: string) => parseId(SourceId, value, "source id", "--source-id")
