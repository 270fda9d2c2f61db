import { Effect } from "effect"

/**
 * An answer that may not have come yet. Lighter than a Deferred (whose creation copies the whole Effect
 * prototype), which matters at thousands of requests a second.
 */
export class Reply<A, E> {
  private outcome: Effect.Effect<A, E> | undefined
  private waiter: ((outcome: Effect.Effect<A, E>) => void) | undefined

  /** Settles once; later calls are ignored. */
  readonly settle = (error: E | undefined, value?: A): void => {
    if (this.outcome !== undefined) return
    this.outcome = error === undefined ? Effect.succeed(value as A) : Effect.fail(error)
    this.waiter?.(this.outcome)
    this.waiter = undefined
  }

  get settled(): boolean {
    return this.outcome !== undefined
  }

  wait(): Effect.Effect<A, E> {
    return this.outcome ?? Effect.async<A, E>((resume) => {
      if (this.outcome !== undefined) return resume(this.outcome)
      this.waiter = resume
      return Effect.sync(() => {
        this.waiter = undefined
      })
    })
  }
}
