import { Config } from "effect"

export const HubPort = Config.port("HUB_PORT").pipe(Config.withDefault(8080))
export const HubHost = Config.string("HUB_HOST").pipe(Config.withDefault("0.0.0.0"))
/** Where Prometheus scrapes `GET /metrics`; unset: no metrics listener. Never the API port, so it can stay private. */
export const HubMetricsPort = Config.option(Config.port("HUB_METRICS_PORT"))
/** Request bodies above this are refused with 413 before they are read. */
export const MaxRequestBytes = 256 * 1024

/** How long a claimed job stays a worker's without a report; the worker renews it while it works. */
export const JobLeaseSeconds = Config.integer("HUB_JOB_LEASE_SECONDS").pipe(
  Config.withDefault(60),
  Config.validate({ message: "HUB_JOB_LEASE_SECONDS must be from 2 to 3600", validation: (n) => n >= 2 && n <= 3600 })
)
/** Backoff before retry n is base * 2^(n-1), capped at one hour. */
export const RetryBaseSeconds = Config.number("HUB_RETRY_BASE_SECONDS").pipe(
  Config.withDefault(30),
  Config.validate({ message: "HUB_RETRY_BASE_SECONDS must be from 0 to 3600", validation: (n) => n >= 0 && n <= 3600 })
)
/** How often the Hub looks for expired leases and lost queue messages. */
export const SweepIntervalSeconds = Config.number("HUB_SWEEP_INTERVAL_SECONDS").pipe(
  Config.withDefault(5),
  Config.validate({ message: "HUB_SWEEP_INTERVAL_SECONDS must be from 0.1 to 300", validation: (n) => n >= 0.1 && n <= 300 })
)
