import { describe, expect, it } from "@effect/vitest"
import { ConfigError, Either } from "effect"
import { describeError } from "../../src/cli/describeError.js"
import { InputInvalid } from "../../src/cli/InputInvalid.js"
import { parseTtl } from "../../src/cli/parseTtl.js"
import { Conflict, Forbidden, NotFound, Unauthorized } from "../../src/shared/contract/ApiError.js"

describe("--ttl", () => {
  it("accepts units and combinations", () => {
    expect(parseTtl("90s")).toEqual(Either.right(90))
    expect(parseTtl("24h")).toEqual(Either.right(86_400))
    expect(parseTtl("1d12h")).toEqual(Either.right(129_600))
    expect(parseTtl("2w")).toEqual(Either.right(1_209_600))
  })
  it("refuses what it cannot read, naming the flag", () => {
    for (const bad of ["", "5", "5x", "h", "-1h", "0s"]) {
      expect(Either.getLeft(parseTtl(bad)).pipe((o) => o._tag === "Some" && o.value.startsWith("--ttl"))).toBe(true)
    }
  })
})

describe("exit codes", () => {
  it("mirror the HTTP status of the error", () => {
    expect(describeError(new InputInvalid({ message: "x" })).exitCode).toBe(2)
    expect(describeError(new NotFound({ message: "x" })).exitCode).toBe(3)
    expect(describeError(new Conflict({ message: "x" })).exitCode).toBe(4)
    expect(describeError(new Unauthorized({ message: "x" })).exitCode).toBe(5)
    expect(describeError(new Forbidden({ message: "x" })).exitCode).toBe(5)
    expect(describeError(new Error("boom")).exitCode).toBe(70)
  })
  it("a configuration error names the variable and exits 78", () => {
    const missing = describeError(ConfigError.MissingData(["DATABASE_URL"], "Expected DATABASE_URL to exist"))
    expect(missing).toEqual({ code: "config_error", message: "configuration: DATABASE_URL is not set", exitCode: 78 })
    const invalid = describeError(ConfigError.InvalidData(["HUB_PORT"], "Expected a port"))
    expect(invalid.message).toBe("configuration: HUB_PORT: Expected a port")
  })
})

describe("hub start-up failures", () => {
  it("a taken port is a configuration problem (78) that says why", () => {
    const error = { _tag: "ServeError", cause: new Error("listen EADDRINUSE: address already in use 0.0.0.0:8080") }
    expect(describeError(error)).toEqual({
      code: "serve_error",
      message: "the Hub cannot listen: listen EADDRINUSE: address already in use 0.0.0.0:8080",
      exitCode: 78
    })
  })
})
