import { Effect, ParseResult, Schema } from "effect"
import { InputInvalid } from "./InputInvalid.js"

/**
 * Checks a request against the API schema before sending it, like validateInput, but the one
 * line names the flag a bad field came from: `--include '': must be a glob pattern …`.
 */
export const validateFlags = <A, I>(
  schema: Schema.Schema<A, I>,
  value: A,
  flagOfField: Readonly<Record<string, string>>
) =>
  Schema.validate(schema)(value).pipe(
    Effect.mapError((error) => {
      const [issue] = ParseResult.ArrayFormatter.formatErrorSync(error)
      const [field, index] = issue?.path ?? []
      const flag = flagOfField[String(field)] ?? String(field)
      const item = typeof index === "number" ? (value as Record<string, ReadonlyArray<unknown>>)[String(field)]?.[index] : undefined
      const given = typeof item === "string" ? ` '${item}'` : ""
      return new InputInvalid({ message: `${flag}${given}: ${issue?.message ?? "is not valid"}` })
    })
  )
