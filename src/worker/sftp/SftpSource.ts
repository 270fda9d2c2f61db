import { Effect } from "effect"
import type { SftpSpec } from "../../shared/contract/SftpSource.js"
import type { Source } from "../source/Source.js"
import { openSftp } from "./openSftp.js"
import { sourceItems } from "./sourceItems.js"
import { sftpRestoreTarget } from "./target/sftpRestoreTarget.js"

/** Sources of kind `sftp`: read and written back over one SSH connection per job. */
export const sftpSource: Source<SftpSpec> = {
  items: (spec, options) =>
    Effect.gen(function*() {
      const connection = yield* openSftp(spec)
      if (spec.hostKey === null) yield* options.recordHostKey(connection.hostKey)
      return sourceItems(connection, options)
    }),
  restoreTarget: sftpRestoreTarget,
  manifestFields: (spec) => ({ host: spec.host, port: spec.port, username: spec.username })
}
