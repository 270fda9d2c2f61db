import { spawn } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { parse } from "yaml"
import { repoRoot, type Spawned, spawnProcess } from "../support/HubProcess.js"

export { freePort } from "../support/HubProcess.js"

/**
 * What the deploy tests read: deploy/docker-compose.yml as Compose would resolve it with a .env
 * made by `cp .env.example .env`, the Dockerfile, and child processes run like a container's.
 */

export const deployDir = path.join(repoRoot, "deploy")
export const composeFile = path.join(deployDir, "docker-compose.yml")
export const workerOverrideFile = path.join(deployDir, "docker-compose.worker-2.yml")
export const dockerfile = path.join(deployDir, "docker", "Dockerfile")
export const envExample = path.join(repoRoot, ".env.example")

// ---- .env.example ----

export interface DotEnv {
  /** KEY=VALUE lines, as Compose (and `set -a; . ./.env`) read them. */
  readonly values: Record<string, string>
  /** Every variable the file documents: set, or shown commented out (`# KEY=`). */
  readonly documented: ReadonlySet<string>
  /** The "# --- Title ---" section each set variable is listed under. */
  readonly sectionOf: Record<string, string>
}

export const readDotEnv = (file = envExample): DotEnv => {
  const values: Record<string, string> = {}
  const documented = new Set<string>()
  const sectionOf: Record<string, string> = {}
  let section = ""
  for (const line of fs.readFileSync(file, "utf8").split("\n")) {
    const title = /^#\s*---\s*(.+?)\s*---\s*$/.exec(line)
    if (title) {
      section = title[1]!
      continue
    }
    const commented = /^#\s*([A-Z][A-Z0-9_]*)=/.exec(line)
    if (commented) {
      documented.add(commented[1]!)
      continue
    }
    if (line.trim() === "" || line.startsWith("#")) continue
    const assignment = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line)
    if (!assignment) throw new Error(`${file}: not KEY=VALUE: ${line}`)
    values[assignment[1]!] = assignment[2]!
    documented.add(assignment[1]!)
    sectionOf[assignment[1]!] = section
  }
  return { values, documented, sectionOf }
}

// ---- Compose interpolation (the subset both docker-compose 1.29 and Compose v2 understand) ----

const TOKEN = /\$(\$|\{[^}]*\}|[A-Za-z_][A-Za-z0-9_]*)/g
const BRACED = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:-|-|:\?|\?)([^$]*))?$/

const parseBraced = (token: string) => {
  const match = BRACED.exec(token.slice(1, -1))
  if (!match) throw new Error(`unsupported interpolation (docker-compose 1.29 and v2 must both read it): \${token}`)
  return { name: match[1]!, op: match[2], arg: match[3] ?? "" }
}

/** ${VAR}, $VAR, ${VAR:-default}, ${VAR-default}, ${VAR:?error}, ${VAR?error} and $$, as Compose does. */
export const interpolate = (text: string, vars: Record<string, string>): string =>
  text.replace(TOKEN, (_whole, body: string) => {
    if (body === "$") return "$"
    if (!body.startsWith("{")) return vars[body] ?? ""
    const { name, op, arg } = parseBraced(body)
    const value = vars[name]
    const set = value !== undefined
    const nonEmpty = set && value !== ""
    switch (op) {
      case undefined:
        return value ?? ""
      case ":-":
        return nonEmpty ? value : arg
      case "-":
        return set ? value : arg
      case ":?":
        if (!nonEmpty) throw new Error(`required variable ${name} is missing a value: ${arg}`)
        return value
      default:
        if (!set) throw new Error(`required variable ${name} is missing a value: ${arg}`)
        return value
    }
  })

/** Every variable a text interpolates. */
export const referencedVariables = (text: string): Set<string> => {
  const names = new Set<string>()
  for (const [, body] of text.matchAll(TOKEN)) {
    if (body === "$") continue
    names.add(body!.startsWith("{") ? parseBraced(body!).name : body!)
  }
  return names
}

const interpolateDeep = (node: unknown, vars: Record<string, string>): unknown => {
  if (typeof node === "string") return interpolate(node, vars)
  if (Array.isArray(node)) return node.map((item) => interpolateDeep(item, vars))
  if (node !== null && typeof node === "object") {
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, interpolateDeep(v, vars)]))
  }
  return node
}

export interface Healthcheck {
  readonly test?: ReadonlyArray<string> | string
  readonly disable?: boolean
  readonly interval?: string
}

export interface Service {
  readonly image?: string
  readonly build?: { readonly context: string; readonly dockerfile?: string } | string
  readonly command?: ReadonlyArray<string> | string
  readonly entrypoint?: ReadonlyArray<string> | string
  readonly environment?: Record<string, string | number | boolean | null> | ReadonlyArray<string>
  readonly env_file?: unknown
  readonly ports?: ReadonlyArray<string>
  readonly volumes?: ReadonlyArray<string>
  readonly depends_on?: Record<string, { readonly condition: string }> | ReadonlyArray<string>
  readonly healthcheck?: Healthcheck
  readonly profiles?: ReadonlyArray<string>
  readonly restart?: string
}

export interface ComposeModel {
  readonly services: Record<string, Service>
  readonly volumes?: Record<string, unknown>
}

/** The file as YAML, before interpolation. */
export const readComposeRaw = (file = composeFile): ComposeModel => parse(fs.readFileSync(file, "utf8")) as ComposeModel

/** The file as Compose resolves it with these variables (what `docker compose config` prints). */
export const readCompose = (vars: Record<string, string>, file = composeFile): ComposeModel =>
  interpolateDeep(readComposeRaw(file), vars) as ComposeModel

/** A service's environment as strings; the list form (KEY=VALUE) too. */
export const environmentOf = (service: Service): Record<string, string> => {
  const env = service.environment ?? {}
  if (Array.isArray(env)) {
    return Object.fromEntries(env.map((entry: string) => {
      const i = entry.indexOf("=")
      if (i < 0) throw new Error(`environment entry without a value (taken from the shell): ${entry}`)
      return [entry.slice(0, i), entry.slice(i + 1)]
    }))
  }
  return Object.fromEntries(Object.entries(env).map(([k, v]) => {
    if (v === null) throw new Error(`environment variable ${k} without a value (taken from the shell)`)
    return [k, String(v)]
  }))
}

export const argv = (value: ReadonlyArray<string> | string | undefined): Array<string> => {
  if (value === undefined) return []
  if (typeof value === "string") throw new Error(`use the exec (list) form, not a shell string: ${value}`)
  return [...value]
}

export interface Mount {
  readonly source: string
  readonly target: string
  readonly named: boolean
  readonly readOnly: boolean
}

export const mountsOf = (service: Service): Array<Mount> =>
  (service.volumes ?? []).map((spec) => {
    const [source, target, mode] = spec.split(":")
    if (source === undefined || target === undefined) throw new Error(`volume without a target: ${spec}`)
    const named = !source.startsWith(".") && !source.startsWith("/")
    return { source: named ? source : path.resolve(deployDir, source), target, named, readOnly: mode === "ro" }
  })

// ---- processes ----

/** Only what a container starts with besides its environment: PATH and HOME. */
export const baseEnv = (extraPath: ReadonlyArray<string> = []): Record<string, string> => ({
  PATH: [...extraPath, process.env["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"].join(path.delimiter),
  HOME: process.env["HOME"] ?? os.homedir()
})

export interface Run {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

/** Runs a command to its end (killed after timeoutMs). */
export const run = (
  command: string,
  args: ReadonlyArray<string>,
  options: { readonly env?: Record<string, string>; readonly cwd?: string; readonly timeoutMs?: number; readonly stdin?: string } = {}
): Promise<Run> =>
  new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd ?? repoRoot,
      env: options.env ?? process.env,
      stdio: ["pipe", "pipe", "pipe"]
    })
    let stdout = ""
    let stderr = ""
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk))
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk))
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 60_000)
    child.once("error", (e) => {
      clearTimeout(timer)
      reject(e)
    })
    child.once("close", (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    })
    child.stdin.on("error", () => {})
    child.stdin.end(options.stdin ?? "")
  })

/** A long-running process (Hub, worker), its output collected. */
export type Daemon = Spawned
export const daemon = spawnProcess

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

/** Polls until `ready` is true; fails with the process's output if it exits or the time is up. */
export const waitFor = async (what: string, process_: Daemon, ready: () => Promise<boolean> | boolean, timeoutMs = 45_000) => {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (process_.closed()) throw new Error(`${what}: exited with ${process_.exitCode()} before it was ready:\n${process_.log()}`)
    if (await ready()) return
    await delay(100)
  }
  throw new Error(`${what}: not ready within ${timeoutMs} ms:\n${process_.log()}`)
}

/** GET url: the status, or 0 when nothing answers. */
export const httpStatus = async (url: string) => {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2_000) })
    await response.arrayBuffer()
    return response.status
  } catch {
    return 0
  }
}
