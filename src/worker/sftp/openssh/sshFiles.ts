import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { Effect, type Scope } from "effect"
import type { Credentials } from "../credentialsOf.js"
import { normalizeFingerprint } from "../hostKeyFingerprint.js"

/** What one `ssh` run reads: made in a fresh 0700 directory, removed with the Scope. */
export interface SshFiles {
  readonly dir: string
  readonly identityFile: string | undefined
  /** The SSH_ASKPASS program: prints the password or key passphrase from a 0600 file, or fails when there is none. */
  readonly askpass: string
  /** The KnownHostsCommand: vouches for the server's key only if it matches the pin (any key when none is pinned). */
  readonly knownHostsCommand: string
  /** The fingerprint the server presented, once ssh has asked about it. */
  readonly presented: () => string | undefined
}

// OpenSSH invokes it with "NONE" for every token while it only orders its host key algorithms.
const knownHostScript = (dir: string) =>
  `#!/bin/sh
[ "$#" -eq 3 ] && [ "$1" != NONE ] || exit 0
printf '%s\\n' "$1" > '${dir}/presented'
pinned=$(cat '${dir}/pinned' 2>/dev/null) || pinned=
if [ -z "$pinned" ] || [ "$1" = "$pinned" ]; then printf '* %s %s\\n' "$2" "$3"; fi
`

const readIfThere = (file: string) => {
  try {
    return fs.readFileSync(file, "utf8").trim() || undefined
  } catch {
    return undefined
  }
}

const fill = (dir: string, credentials: Credentials, pinned: string | null): SshFiles => {
  const write = (name: string, content: string, mode = 0o600) => {
    const file = path.join(dir, name)
    fs.writeFileSync(file, content, { mode, flag: "wx" })
    return file
  }
  const secret = "password" in credentials ? credentials.password : credentials.passphrase
  const askpass = secret === undefined
    ? "/bin/false"
    : (write("secret", secret), write("askpass", `#!/bin/sh\nexec cat '${dir}/secret'\n`, 0o700))
  const identityFile = "privateKey" in credentials
    ? write("identity", credentials.privateKey.endsWith("\n") ? credentials.privateKey : `${credentials.privateKey}\n`)
    : undefined
  if (pinned !== null) write("pinned", `${normalizeFingerprint(pinned)}\n`)
  const script = write("known-host", knownHostScript(dir))
  return {
    dir,
    identityFile,
    askpass,
    knownHostsCommand: `/bin/sh ${script} %f %t %K`,
    presented: () => readIfThere(path.join(dir, "presented"))
  }
}

/** The files `ssh` needs for one connection; a failure to write them in the temp dir is a defect of this machine. */
export const sshFiles = (credentials: Credentials, pinned: string | null): Effect.Effect<SshFiles, never, Scope.Scope> =>
  Effect.acquireRelease(
    // mkdtemp makes it 0700; every file in it is 0600 but the askpass program (0700).
    Effect.sync(() => fs.mkdtempSync(path.join(os.tmpdir(), "xvault-ssh-"))),
    (dir) => Effect.sync(() => fs.rmSync(dir, { recursive: true, force: true }))
  ).pipe(Effect.map((dir) => fill(dir, credentials, pinned)))
