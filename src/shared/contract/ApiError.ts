import * as HttpApiSchema from "@effect/platform/HttpApiSchema"
import { Schema } from "effect"

/**
 * Every API error travels as `{ "error": { "code", "message" } }`. The classes stay
 * ordinary tagged errors in code; the wire schema maps them to and from that shape,
 * so server and typed client share one definition.
 */
export const wire = <Self extends { readonly message: string }>(
  Class: Schema.Schema<Self, any, never> & (new(props: { readonly message: string }) => Self),
  code: string,
  status: number
) =>
  Schema.transform(
    Schema.Struct({ error: Schema.Struct({ code: Schema.Literal(code), message: Schema.String }) }),
    Schema.typeSchema(Class),
    {
      strict: true,
      decode: ({ error }) => new Class({ message: error.message }),
      encode: (e) => ({ error: { code, message: e.message } as const })
    }
  ).annotations(HttpApiSchema.annotations({ status }))

export class BadRequest extends Schema.TaggedError<BadRequest>()("BadRequest", { message: Schema.String }) {}
export class Unauthorized extends Schema.TaggedError<Unauthorized>()("Unauthorized", { message: Schema.String }) {}
export class Forbidden extends Schema.TaggedError<Forbidden>()("Forbidden", { message: Schema.String }) {}
export class NotFound extends Schema.TaggedError<NotFound>()("NotFound", { message: Schema.String }) {}
export class Conflict extends Schema.TaggedError<Conflict>()("Conflict", { message: Schema.String }) {}
export class PayloadTooLarge extends Schema.TaggedError<PayloadTooLarge>()("PayloadTooLarge", {
  message: Schema.String
}) {}
export class NotReady extends Schema.TaggedError<NotReady>()("NotReady", { message: Schema.String }) {}

export class InternalError extends Schema.TaggedError<InternalError>()("InternalError", {
  message: Schema.String
}) {}

export const BadRequestWire = wire(BadRequest, "bad_request", 400)
export const UnauthorizedWire = wire(Unauthorized, "unauthorized", 401)
export const ForbiddenWire = wire(Forbidden, "forbidden", 403)
export const NotFoundWire = wire(NotFound, "not_found", 404)
export const ConflictWire = wire(Conflict, "conflict", 409)
export const PayloadTooLargeWire = wire(PayloadTooLarge, "payload_too_large", 413)
export const NotReadyWire = wire(NotReady, "not_ready", 503)
export const InternalErrorWire = wire(InternalError, "internal", 500)

export type ApiError = BadRequest | Unauthorized | Forbidden | NotFound | Conflict | PayloadTooLarge | NotReady | InternalError
