import { Schema } from "effect"

export const PositiveIntFromString = Schema.NumberFromString.pipe(Schema.int(), Schema.positive())

/** `?limit=` on every paginated list. */
export const PageLimit = PositiveIntFromString.pipe(Schema.lessThanOrEqualTo(500)).annotations({
  message: () => "must be an integer from 1 to 500"
})
