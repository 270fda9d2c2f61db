import { Data } from "effect"

/**
 * The claim names a kind of source this worker has no implementation for: typically a newer
 * Hub and an older worker. Retrying on the same worker cannot help; upgrading it does.
 */
export class SourceKindUnsupported extends Data.TaggedError("SourceKindUnsupported")<{
  readonly kind: string
  readonly supported: ReadonlyArray<string>
  readonly message: string
}> {
  constructor(props: { readonly kind: string; readonly supported: ReadonlyArray<string> }) {
    super({
      ...props,
      message: `this worker cannot reach a source of kind '${props.kind}' (it supports ${
        props.supported.map((k) => `'${k}'`).join(", ")
      }); upgrade the worker`
    })
  }

  get retryable(): boolean {
    return false
  }
}
