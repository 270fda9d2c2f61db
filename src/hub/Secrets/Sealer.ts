import { Effect, Redacted } from "effect"
import { KekConfig } from "../../shared/crypto/Kek.js"
import { keyringOf, openString, type SealContext, sealString } from "../../shared/crypto/SealedSecret.js"

/** Seals secrets for the database under the platform KEK; plaintext exists only as Redacted. */
export class Sealer extends Effect.Service<Sealer>()("hub/Sealer", {
  effect: Effect.gen(function*() {
    const kek = yield* KekConfig
    const keyring = keyringOf(kek)
    return {
      seal: (secret: Redacted.Redacted<string>, context: SealContext): Uint8Array =>
        sealString(kek, Redacted.value(secret), context),
      open: (sealed: Uint8Array, context: SealContext) =>
        openString(keyring, sealed, context).pipe(Effect.map(Redacted.make))
    } as const
  })
}) {}
