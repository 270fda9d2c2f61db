import { ParseResult } from "effect"

/** One line naming each offending field: `paths.0: must be an absolute path (starting with '/')`. */
export const describeIssues = (issues: ReadonlyArray<{ readonly path: ReadonlyArray<PropertyKey>; readonly message: string }>) =>
  issues.map((i) => `${i.path.length > 0 ? i.path.map(String).join(".") : "request"}: ${i.message}`).join("; ")

export const describeParseError = (error: ParseResult.ParseError) =>
  describeIssues(ParseResult.ArrayFormatter.formatErrorSync(error))
