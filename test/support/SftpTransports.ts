import { Layer } from "effect"
import { SftpTransport, type SftpTransportName } from "../../src/worker/sftp/SftpTransport.js"

/** Every transport openSftp can use: connection tests run once over each. */
export const SFTP_TRANSPORTS: ReadonlyArray<SftpTransportName> = ["openssh", "ssh2"]

/** Makes openSftp use `transport` in the tests of a `layer(...)` block. */
export const sftpTransportLayer = (transport: SftpTransportName) => Layer.succeed(SftpTransport, transport)
