import type { HttpClientError, HttpServerError } from "@effect/platform"
import type { SqlError } from "@effect/sql/SqlError"
import type { ParseResult } from "effect"
import type { HostKeyMismatch } from "../shared/contract/Workers.js"
import type {
  BadRequest, Conflict, Forbidden, InternalError, NotFound, NotReady, PayloadTooLarge, Unauthorized
} from "../shared/contract/ApiError.js"
import type { SealedSecretUnreadable } from "../shared/crypto/SealedSecret.js"
import type { MetricsServerFailed } from "../shared/metrics/MetricsServer.js"
import type { WorkerMisconfigured } from "../worker/Main.js"
import type { SourceKindUnsupported } from "../worker/source/SourceKindUnsupported.js"
import type { StorageFailed } from "../worker/storage/StorageFailed.js"
import type { JobFailed } from "./followJob.js"
import type { InputInvalid } from "./InputInvalid.js"

/** The one place where an error becomes an exit code. Codes mirror HTTP statuses. */
export const ExitCode = {
  ok: 0,
  jobFailed: 1,
  badInput: 2,
  notFound: 3,
  conflict: 4,
  unauthorized: 5,
  unreachable: 6,
  internal: 70,
  config: 78,
  interrupted: 130
} as const

/**
 * Every error a command can fail with. Adding one here without a row in exitCodeByTag does not
 * compile; an error outside this union (a bug) is reported as an internal error (70).
 */
export type AppError =
  | JobFailed
  | InputInvalid
  | BadRequest
  | PayloadTooLarge
  | Unauthorized
  | Forbidden
  | NotFound
  | Conflict
  | HostKeyMismatch
  | NotReady
  | InternalError
  | HttpClientError.RequestError
  | HttpClientError.ResponseError
  | ParseResult.ParseError
  | SqlError
  | HttpServerError.ServeError
  | SealedSecretUnreadable
  | WorkerMisconfigured
  | StorageFailed
  | SourceKindUnsupported
  | MetricsServerFailed

/** ConfigError has no `_tag` (its `_op` says which kind); describeError recognises it first. */
export type AppErrorTag = AppError["_tag"] | "ConfigError"

export const exitCodeByTag: Readonly<Record<AppErrorTag, number>> = {
  // a followed job ended failed or cancelled
  JobFailed: ExitCode.jobFailed,
  BadRequest: ExitCode.badInput,
  PayloadTooLarge: ExitCode.badInput,
  InputInvalid: ExitCode.badInput,
  Unauthorized: ExitCode.unauthorized,
  Forbidden: ExitCode.unauthorized,
  NotFound: ExitCode.notFound,
  Conflict: ExitCode.conflict,
  HostKeyMismatch: ExitCode.conflict,
  NotReady: ExitCode.unreachable,
  RequestError: ExitCode.unreachable,
  SqlError: ExitCode.unreachable,
  ResponseError: ExitCode.internal,
  InternalError: ExitCode.internal,
  ParseError: ExitCode.internal,
  ConfigError: ExitCode.config,
  // a stored secret no configured KEK opens: a key is missing from the configuration
  SealedSecretUnreadable: ExitCode.config,
  // the listen address is taken or not ours: fixed by changing HUB_PORT/HUB_HOST
  ServeError: ExitCode.config,
  // WORKER_TOKEN names another worker than WORKER_ID
  WorkerMisconfigured: ExitCode.config,
  // HUB_METRICS_PORT/WORKER_METRICS_PORT is taken or not ours to listen on
  MetricsServerFailed: ExitCode.config,
  // WORKER_STORAGE_BASE cannot be created or written
  StorageFailed: ExitCode.config,
  // a source kind this build does not know: fixed by upgrading (or by the source's configuration)
  SourceKindUnsupported: ExitCode.config
}

export const EXIT_STATUS_HELP = `EXIT STATUS
  0 ok, 1 a job failed, 2 bad input or usage, 3 not found, 4 conflict,
  5 unauthorized or forbidden, 6 Hub or database unreachable, 70 internal error,
  78 bad configuration, 130 interrupted`
