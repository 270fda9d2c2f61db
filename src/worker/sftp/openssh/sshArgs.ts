import type { SshFiles } from "./sshFiles.js"

export interface SshArgsInput {
  readonly host: string
  readonly port: number
  readonly username: string
  readonly method: "password" | "private key"
  readonly connectTimeoutMs: number
  readonly keepaliveIntervalMs: number
  readonly keepaliveCountMax: number
  readonly files: Pick<SshFiles, "identityFile" | "knownHostsCommand">
}

// Same preference as the ssh2 transport: AES-GCM first, then what OpenSSH offers by default.
const CIPHERS = "aes128-gcm@openssh.com,aes256-gcm@openssh.com,chacha20-poly1305@openssh.com,aes128-ctr,aes192-ctr,aes256-ctr"

/**
 * The `ssh` command line for one SFTP session. It holds no secret (the key and password are files
 * the askpass program and IdentityFile point to) and ignores every user and system ssh config.
 */
export const sshArgs = (input: SshArgsInput): ReadonlyArray<string> => {
  const password = input.method === "password"
  const options: Record<string, string> = {
    // host key: vouched for by the KnownHostsCommand alone, never written anywhere, never asked about
    StrictHostKeyChecking: "yes",
    KnownHostsCommand: input.files.knownHostsCommand,
    UserKnownHostsFile: "/dev/null",
    GlobalKnownHostsFile: "/dev/null",
    CheckHostIP: "no",
    UpdateHostKeys: "no",
    // authentication: exactly the source's credential, one attempt, no agent, no prompts on a terminal
    PreferredAuthentications: password ? "password" : "publickey",
    PasswordAuthentication: password ? "yes" : "no",
    PubkeyAuthentication: password ? "no" : "yes",
    KbdInteractiveAuthentication: "no",
    HostbasedAuthentication: "no",
    GSSAPIAuthentication: "no",
    IdentitiesOnly: "yes",
    IdentityAgent: "none",
    ...(input.files.identityFile === undefined ? {} : { IdentityFile: input.files.identityFile }),
    NumberOfPasswordPrompts: "1",
    // liveness, as the ssh2 transport: a silent peer is dead after ServerAliveInterval x ServerAliveCountMax
    ConnectTimeout: String(Math.max(1, Math.ceil(input.connectTimeoutMs / 1000))),
    ServerAliveInterval: String(Math.max(1, Math.round(input.keepaliveIntervalMs / 1000))),
    ServerAliveCountMax: String(input.keepaliveCountMax),
    Ciphers: CIPHERS,
    Compression: "no",
    // nothing but the subsystem
    ControlMaster: "no",
    ControlPath: "none",
    ForwardAgent: "no",
    ForwardX11: "no",
    ClearAllForwardings: "yes",
    RequestTTY: "no",
    EscapeChar: "none",
    // debug1 names the server's software (ssh2 reads the same ident to know OpenSSH's symlink order)
    LogLevel: "DEBUG1"
  }
  return [
    "-F", "/dev/null",
    ...Object.entries(options).flatMap(([name, value]) => ["-o", `${name}=${value}`]),
    "-p", String(input.port),
    "-l", input.username,
    "-s",
    "--",
    input.host,
    "sftp"
  ]
}
