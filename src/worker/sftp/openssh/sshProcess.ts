import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process"
import { Effect, type Scope } from "effect"
import { CLOSE_GRACE_MS } from "../sessionTimings.js"
import type { SshFiles } from "./sshFiles.js"

const STDERR_KEPT = 16 * 1024
const SOFTWARE = /remote software version (\S+)/

export interface SshProcess {
  readonly child: ChildProcessWithoutNullStreams
  /** ssh's stderr so far (the last 16 KiB): debug lines and, when it fails, why. */
  readonly stderr: () => string
  readonly exited: () => boolean
  /** Called once ssh names the server's software. */
  readonly onServerSoftware: (f: (software: string) => void) => void
}

const signal = (child: ChildProcessWithoutNullStreams, sig: NodeJS.Signals) => {
  try {
    // its own process group: askpass and KnownHostsCommand children go too
    process.kill(-child.pid!, sig)
  } catch {
    child.kill(sig)
  }
}

// A session that got going is ended by closing ssh's stdin (it says goodbye to the server); one still
// connecting, or one that does not leave within the grace period, is killed.
const stop = (ssh: SshProcess, connected: () => boolean) =>
  Effect.async<void>((resume) => {
    const { child } = ssh
    if (ssh.exited() || child.pid === undefined) return resume(Effect.void)
    const timer = setTimeout(() => signal(child, "SIGKILL"), CLOSE_GRACE_MS)
    child.once("close", () => {
      clearTimeout(timer)
      resume(Effect.void)
    })
    if (connected()) child.stdin.end()
    else signal(child, "SIGTERM")
  })

/**
 * Runs `ssh` in a session of its own (no controlling terminal, so it can never prompt on one) with an
 * environment of PATH, the askpass settings and LC_ALL=C, nothing of the worker's. Stopped with the Scope.
 */
export const sshProcess = (
  args: ReadonlyArray<string>,
  files: Pick<SshFiles, "askpass">,
  connected: () => boolean
): Effect.Effect<SshProcess, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.sync(() => {
      const child = spawn("ssh", args, {
        stdio: ["pipe", "pipe", "pipe"],
        detached: true,
        env: {
          PATH: process.env["PATH"] ?? "/usr/bin:/bin",
          LC_ALL: "C",
          SSH_ASKPASS: files.askpass,
          SSH_ASKPASS_REQUIRE: "force"
        }
      })
      let stderr = ""
      let exited = false
      let software: string | undefined
      const waiting: Array<(software: string) => void> = []
      child.once("close", () => (exited = true))
      // kept for the child's life: an 'error' without a listener would crash the worker
      child.on("error", () => (exited = true))
      child.stderr.setEncoding("utf8")
      child.stderr.on("data", (text: string) => {
        stderr = (stderr + text).slice(-STDERR_KEPT)
        if (software !== undefined) return
        software = SOFTWARE.exec(stderr)?.[1]
        if (software !== undefined) for (const f of waiting.splice(0)) f(software)
      })
      return {
        child,
        stderr: () => stderr,
        exited: () => exited,
        onServerSoftware: (f: (software: string) => void) => software === undefined ? void waiting.push(f) : f(software)
      } satisfies SshProcess
    }),
    (ssh) => stop(ssh, connected)
  )
