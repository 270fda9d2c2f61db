import { Effect, Redacted } from "effect"
import { KekRingConfig } from "../../shared/crypto/Kek.js"
import { keyringOf, openString, type SealContext, sealString } from "../../shared/crypto/SealedSecret.js"

/**
 * Seals secrets for the database under the current platform KEK and opens them with the
 * current or any previous one, so the Hub keeps working while a rotation re-seals rows.
 * Plaintext exists only as Redacted.
 */
export class Sealer extends Effect.Service<Sealer>()("hub/Sealer", {
  effect: Effect.gen(function*() {
    const ring = yield* KekRingConfig
    const keyring = keyringOf(ring.current, ...ring.previous)
    return {
      currentVersion: ring.current.version,
      seal: (secret: Redacted.Redacted<string>, context: SealContext): Uint8Array =>
        sealString(ring.current, Redacted.value(secret), context),
      open: (sealed: Uint8Array, context: SealContext) =>
        openString(keyring, sealed, context).pipe(Effect.map(Redacted.make))
    } as const
  })
}) {}
