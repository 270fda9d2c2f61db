import { Schema } from "effect"

/** A non-empty string of at most `max` characters, whose error says what was expected. */
export const bounded = (max: number, what: string) =>
  Schema.String.pipe(Schema.minLength(1), Schema.maxLength(max)).annotations({
    message: () => `must be ${what} of 1-${max} characters`
  })
