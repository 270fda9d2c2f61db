import { Effect, type Scope, type Stream } from "effect"
import type { SourceSpec } from "../../shared/contract/Sources.js"
import type { ClaimedSource } from "../../shared/contract/Workers.js"
import { sftpSource } from "../sftp/SftpSource.js"
import type { TarItem } from "../artifact/TarItem.js"
import type { ItemsOptions, RestoreWriter, Source, TargetFailure, TargetOptions } from "./Source.js"
import type { SourceFailed } from "./SourceFailed.js"
import { SourceKindUnsupported } from "./SourceKindUnsupported.js"

/** Every kind this worker can read and write: a kind in the contract without an entry here does not compile. */
const sources: { readonly [K in SourceSpec["kind"]]: Source<Extract<SourceSpec, { readonly kind: K }>> } = {
  sftp: sftpSource
}

export const supportedKinds: ReadonlyArray<string> = Object.keys(sources)

/** One claimed source with its spec applied: what backups and restores call. */
export interface SourceAccess {
  readonly kind: SourceSpec["kind"]
  readonly items: <E>(
    options: ItemsOptions<E>
  ) => Effect.Effect<Stream.Stream<TarItem<SourceFailed>, SourceFailed>, SourceFailed | E, Scope.Scope>
  readonly restoreTarget: <E>(options: TargetOptions<E>) => Effect.Effect<RestoreWriter, TargetFailure | E, Scope.Scope>
  readonly manifestFields: Readonly<Record<string, unknown>>
}

const isKnown = (spec: ClaimedSource["spec"]): spec is SourceSpec => Object.hasOwn(sources, spec.kind)

/** The one place a claim's source kind picks its implementation; an unknown kind fails the job, not retryable. */
export const sourceFor = (spec: ClaimedSource["spec"]): Effect.Effect<SourceAccess, SourceKindUnsupported> => {
  if (!isKnown(spec)) return Effect.fail(new SourceKindUnsupported({ kind: spec.kind, supported: supportedKinds }))
  // each entry takes its own kind's spec, and `spec.kind` picked the entry
  const source = sources[spec.kind] as Source<SourceSpec>
  return Effect.succeed({
    kind: spec.kind,
    items: (options) => source.items(spec, options),
    restoreTarget: (options) => source.restoreTarget(spec, options),
    manifestFields: source.manifestFields(spec)
  })
}
