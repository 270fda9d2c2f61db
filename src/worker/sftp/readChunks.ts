import { Effect, Option, Stream } from "effect"
import { Reply } from "./Reply.js"
import type { SftpConnection, SftpError } from "./SftpConnection.js"

export interface ReadWindow {
  /** Bytes per read request. */
  readonly chunkSize: number
  /** Read requests kept outstanding; memory held is about chunkSize x requestsInFlight. */
  readonly requestsInFlight: number
}

interface PendingRead {
  readonly position: number
  readonly length: number
  readonly buffer: Buffer
  readonly bytes: Reply<number, SftpError>
}

/**
 * The first `size` bytes of an open file as ordered chunks. Up to `requestsInFlight` reads are outstanding
 * ahead of the consumer and no more: a slow consumer slows the reads. The stream ends early if the file shrank.
 */
export const readChunks = (
  connection: SftpConnection,
  handle: Buffer,
  size: number,
  window: ReadWindow
): Stream.Stream<Uint8Array, SftpError> =>
  Stream.suspend(() => {
    const inFlight: Array<PendingRead> = []
    let next = 0
    const request = (position: number, length: number): PendingRead => {
      const buffer = Buffer.allocUnsafe(length)
      const bytes = new Reply<number, SftpError>()
      connection.send<number>(
        (sftp, done) => sftp.read(handle, buffer, 0, length, position, (error, bytesRead) => done(error, bytesRead)),
        bytes.settle
      )
      return { position, length, buffer, bytes }
    }
    const topUp = () => {
      while (inFlight.length < window.requestsInFlight && next < size) {
        const length = Math.min(window.chunkSize, size - next)
        inFlight.push(request(next, length))
        next += length
      }
    }
    const pull: Effect.Effect<Uint8Array, Option.Option<SftpError>> = Effect.suspend(() => {
      topUp()
      const head = inFlight.shift()
      if (head === undefined) return Effect.fail(Option.none())
      return head.bytes.wait().pipe(
        Effect.mapError(Option.some),
        Effect.flatMap((bytes) => {
          if (bytes === 0) {
            // EOF before `size`: the file shrank. Answers still in flight are dropped.
            inFlight.length = 0
            next = size
            return Effect.fail(Option.none())
          }
          // A short answer that is not EOF: read the rest of this range before anything after it.
          if (bytes < head.length) inFlight.unshift(request(head.position + bytes, head.length - bytes))
          return Effect.succeed(head.buffer.subarray(0, bytes))
        })
      )
    })
    return Stream.repeatEffectOption(pull)
  })
