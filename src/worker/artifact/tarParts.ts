import { Chunk, Effect, Either, Stream } from "effect"
import { TarFormatError } from "./TarFormatError.js"
import { type TarPart, TarParser } from "./TarParser.js"

/** Reads a tar stream into its entries and contents, to the end-of-archive blocks; fails on anything malformed or cut short. */
export const tarParts = <E, R>(tar: Stream.Stream<Uint8Array, E, R>): Stream.Stream<TarPart, E | TarFormatError, R> =>
  Stream.suspend(() => {
    const parser = new TarParser()
    return tar.pipe(
      Stream.mapChunksEffect((chunk) => {
        const out: Array<TarPart> = []
        for (const bytes of chunk) {
          const parts = parser.push(bytes)
          if (Either.isLeft(parts)) return Effect.fail(parts.left)
          for (const part of parts.right) out.push(part)
        }
        return Effect.succeed(Chunk.unsafeFromArray(out))
      }),
      Stream.concat(Stream.execute(Effect.suspend(() => parser.finish())))
    )
  })

export { TarFormatError }
