import { Effect } from "effect"
import type { SourceFailed } from "../../source/SourceFailed.js"
import type { RestoreFailed } from "../../restore/RestoreFailed.js"

export type UploadFailure = RestoreFailed | SourceFailed

/**
 * What a restore has in flight over SFTP: bytes handed to write requests not yet answered, and
 * files not yet closed. The consumer waits for room before it hands on more, which bounds memory
 * however fast the archive decodes; the first failure of any request ends the wait.
 */
export class UploadWindow {
  private bytes = 0
  private files = 0
  private failure: UploadFailure | undefined
  private wake: (() => void) | undefined

  constructor(private readonly maxBytes: number, private readonly maxFiles: number) {}

  hold(bytes: number) {
    this.bytes += bytes
  }

  release(bytes: number) {
    this.bytes -= bytes
    this.wake?.()
  }

  fileStarted() {
    this.files++
  }

  fileDone() {
    this.files--
    this.wake?.()
  }

  /** Records the first failure; later ones are consequences of it. */
  fail(error: UploadFailure) {
    this.failure ??= error
    this.wake?.()
  }

  get failed(): boolean {
    return this.failure !== undefined
  }

  /** Until more may be sent. */
  readonly room = Effect.suspend(() => this.until(() => this.bytes < this.maxBytes && this.files < this.maxFiles))

  /** Until everything sent has been answered. */
  readonly idle = Effect.suspend(() => this.until(() => this.bytes === 0 && this.files === 0))

  private until(ready: () => boolean): Effect.Effect<void, UploadFailure> {
    const now = () => (this.failure !== undefined ? Effect.fail(this.failure) : ready() ? Effect.void : undefined)
    return now() ?? Effect.async<void, UploadFailure>((resume) => {
      this.wake = () => {
        const outcome = now()
        if (outcome === undefined) return
        this.wake = undefined
        resume(outcome)
      }
      return Effect.sync(() => {
        this.wake = undefined
      })
    })
  }
}
