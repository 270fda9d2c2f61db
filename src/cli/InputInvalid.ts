import { Data } from "effect"

/** Bad flags or local input found by the CLI itself, before anything is sent. */
export class InputInvalid extends Data.TaggedError("InputInvalid")<{ readonly message: string }> {}
