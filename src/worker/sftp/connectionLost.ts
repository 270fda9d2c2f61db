import { Effect } from "effect"
import { SourceFailed } from "../source/SourceFailed.js"

export const connectionLost = (endpoint: string, detail: string): SourceFailed =>
  new SourceFailed({ reason: "connection_lost", message: `connection to ${endpoint} was lost ${detail}` })

/** Rewrites a connection_lost error to say what the transfer was doing, e.g. "during the transfer (/srv/x at byte 1048576)". */
export const relabelLost = (endpoint: string, detail: () => string) => <E>(error: E): E =>
  error instanceof SourceFailed && error.reason === "connection_lost" ? connectionLost(endpoint, detail()) as E : error

/** `relabelLost` for an Effect. */
export const lostDuring = (endpoint: string, detail: string) => <A, E, R>(self: Effect.Effect<A, E, R>) =>
  Effect.mapError(self, relabelLost(endpoint, () => detail))
