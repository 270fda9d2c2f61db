import { describe, expect, expectTypeOf, it } from "vitest"
import { type AppError, type AppErrorTag, exitCodeByTag, ExitCode } from "../../src/cli/ExitCodes.js"
import { describeError } from "../../src/cli/describeError.js"
import { SourceKindUnsupported } from "../../src/worker/source/SourceKindUnsupported.js"

describe("exit codes", () => {
  it("every error a command can fail with has a code; a new tag without one does not compile", () => {
    expectTypeOf(exitCodeByTag).toEqualTypeOf<Readonly<Record<AppErrorTag, number>>>()
    type WithANewError = AppError | { readonly _tag: "SomethingNew"; readonly message: string }
    // @ts-expect-error the table has no row for SomethingNew, so it is not a Record over the new union
    const table: Record<WithANewError["_tag"], number> = exitCodeByTag
    expect(Object.values(table).every((code) => Number.isInteger(code) && code > 0)).toBe(true)
  })

  it("a source of a kind the worker does not know is a typed error with a clear message and exit code", () => {
    const error = new SourceKindUnsupported({ kind: "nfs", supported: ["sftp"] })
    expect(error.retryable).toBe(false)
    expect(describeError(error)).toEqual({
      code: "source_kind_unsupported",
      message: "this worker cannot reach a source of kind 'nfs' (it supports 'sftp'); upgrade the worker",
      exitCode: ExitCode.config
    })
  })
})
