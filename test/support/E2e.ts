import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import { Effect, Exit, Redacted, Scope } from "effect"
import pg from "pg"
import { expect } from "vitest"
import { mint } from "../../src/shared/auth/Jwt.js"
import { testJwtSecret } from "./env.js"
import { type CliResult, type HubProcess, runCli } from "./HubProcess.js"

/** Everything a whole-system test file needs: one scope, the CLI against its Hub, the database. */
export const e2eHarness = () => {
  const scope = Effect.runSync(Scope.make())
  const outputs: Array<CliResult> = []
  let hub: HubProcess | undefined
  const adminToken = mint(Redacted.make(testJwtSecret), { role: "admin", subject: "e2e-admin", ttlSeconds: 3600 })

  const inScope = <A, E>(effect: Effect.Effect<A, E, Scope.Scope>) => Effect.runPromise(Scope.extend(effect, scope))

  const xvault = async (args: ReadonlyArray<string>, opts: { readonly stdin?: string; readonly token?: string } = {}) => {
    const result = await runCli(args, {
      env: { HUB_BASE_URL: hub!.baseUrl, XVAULT_TOKEN: opts.token ?? adminToken },
      ...(opts.stdin !== undefined ? { stdin: opts.stdin } : {})
    })
    outputs.push(result)
    return result
  }

  /** Runs the command, expects exit 0 and returns its --json output. */
  const json = async <A = any>(args: ReadonlyArray<string>, opts: { readonly stdin?: string } = {}): Promise<A> => {
    const result = await xvault([...args, "--json"], opts)
    expect(result.code, `${args.join(" ")}: ${result.stderr}`).toBe(0)
    return JSON.parse(result.stdout) as A
  }

  const query = async <Row extends object>(sql: string, params: Array<unknown> = []) => {
    const client = new pg.Client({ connectionString: hub!.databaseUrl })
    await client.connect()
    try {
      return (await client.query<Row>(sql, params)).rows
    } finally {
      await client.end()
    }
  }

  const api = async <A = any>(method: string, urlPath: string, body?: unknown): Promise<A> => {
    const response = await fetch(`${hub!.baseUrl}${urlPath}`, {
      method,
      headers: { authorization: `Bearer ${adminToken}`, "content-type": "application/json" },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {})
    })
    expect(response.status, `${method} ${urlPath}`).toBeLessThan(300)
    return (await response.json()) as A
  }

  return {
    setHub: (h: HubProcess) => (hub = h),
    hub: () => hub!,
    adminToken,
    outputs,
    inScope,
    xvault,
    json,
    query,
    api,
    close: () => Effect.runPromise(Scope.close(scope, Exit.void))
  }
}

/** Files under a directory, relative to it (empty list if it does not exist). */
export const filesUnder = (dir: string): Array<string> =>
  fs.existsSync(dir) ? fs.readdirSync(dir, { recursive: true, encoding: "utf8" }).sort() : []

/** Restores an artifact the way docs/artifact-format.md says, with nothing but age, zstd and tar. */
export const restoreWithStandardTools = (artifact: string, keyFile: string, into: string) => {
  fs.mkdirSync(into, { recursive: true })
  execFileSync("sh", ["-c", `age -d -i "$1" "$2" | zstd -d -q | tar -x -p -C "$3"`, "sh", keyFile, artifact, into], {
    stdio: ["ignore", "pipe", "pipe"]
  })
  return into
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

/** Polls until `check` returns a value (not undefined) or the time is up. */
export const eventually = async <A>(what: string, check: () => Promise<A | undefined>, timeoutMs = 30_000): Promise<A> => {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    const value = await check()
    if (value !== undefined) return value
    await sleep(100)
  }
  throw new Error(`timed out waiting for ${what}`)
}

