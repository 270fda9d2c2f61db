import type { Command } from "@oclif/core"
import { Cause, Effect, Exit, Option } from "effect"
import { describeError } from "./describeError.js"
import { ExitCode } from "./ExitCodes.js"
import { LoggingLive } from "./Logging.js"

export interface RunOptions {
  /** Exit code when SIGINT/SIGTERM interrupt the program: 130 for one-shot commands, 0 for daemons. */
  readonly onInterrupt?: number
}


/**
 * Runs one command's program: SIGINT/SIGTERM interrupt it (so finalizers close connections),
 * and its Exit becomes the process exit code. Errors print one line to stderr, or a JSON
 * object with --json.
 */
export const runEffect = async <A, E>(
  cmd: Command,
  program: Effect.Effect<A, E>,
  options: RunOptions = {}
): Promise<A> => {
  const controller = new AbortController()
  const abort = () => controller.abort()
  process.once("SIGINT", abort)
  process.once("SIGTERM", abort)
  const exit = await Effect.runPromiseExit(
    Effect.provide(program, LoggingLive),
    { signal: controller.signal }
  )
  process.off("SIGINT", abort)
  process.off("SIGTERM", abort)
  if (Exit.isSuccess(exit)) return exit.value
  if (Cause.isInterruptedOnly(exit.cause)) throw new CommandFailed(options.onInterrupt ?? ExitCode.interrupted)
  const described = Option.match(Cause.failureOption(exit.cause), {
    onNone: () => ({
      code: "internal",
      message: `internal error: ${Cause.pretty(exit.cause)}`,
      exitCode: ExitCode.internal
    }),
    onSome: (error) => describeError(error)
  })
  if (cmd.jsonEnabled()) {
    process.stderr.write(`${JSON.stringify({ error: described })}\n`)
  } else {
    process.stderr.write(`xvault: ${described.message}\n`)
  }
  throw new CommandFailed(described.exitCode)
}

/** Already reported to the user; XvaultCommand.catch turns it into the exit code and nothing else. */
export class CommandFailed extends Error {
  constructor(readonly exitCode: number) {
    super(`exit ${exitCode}`)
  }
}
