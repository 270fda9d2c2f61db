import { randomBytes } from "node:crypto"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { Effect, Exit, Redacted, Scope } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { mint } from "../../src/shared/auth/Jwt.js"
import { freshDatabase } from "../support/Database.js"
import { filesUnder } from "../support/E2e.js"
import { redisUrl } from "../support/env.js"
import { repoRoot, runCli } from "../support/HubProcess.js"
import { isolatedQueuePrefix } from "../support/QueuePrefix.js"
import { type SshdServer, startSshd } from "../support/Sshd.js"
import {
  argv,
  baseEnv,
  type ComposeModel,
  daemon,
  type Daemon,
  environmentOf,
  freePort,
  httpStatus,
  mountsOf,
  readCompose,
  readDotEnv,
  run,
  type Service,
  waitFor
} from "./compose.js"

/**
 * deploy/docker-compose.yml without a Docker engine: the hub and worker services run as local
 * processes with exactly the command and environment the file gives them, resolved from
 * .env.example as `cp .env.example .env` would, and the demo service's script backs up a real
 * sshd through them. What a container would see differently is translated, and only that:
 *
 * - service host names: postgres (its user, password and database) is the local PostgreSQL with a
 *   fresh database, redis the local Redis, hub 127.0.0.1 on a free port, sftp the test's sshd
 *   (with its login and sample data);
 * - the Hub listens on 127.0.0.1 and a free port instead of 0.0.0.0:8080;
 * - named volumes are temp dirs, bind mounts their files in deploy/;
 * - `xvault` on PATH is this checkout's bin/run.js (the image links /usr/local/bin/xvault to it).
 *
 * The queue prefix is set in the .env as an operator would, to keep this test's jobs its own.
 * CI also runs the file itself, in containers on a Docker engine (deploy/ci/compose-test.sh).
 */

const scope = Effect.runSync(Scope.make())
const inScope = <A, E>(effect: Effect.Effect<A, E, Scope.Scope>) => Effect.runPromise(Scope.extend(effect, scope))

const dotenv = readDotEnv()
let compose: ComposeModel
let work: string
let hubPort: number
let databaseUrl: string
let sshd: SshdServer
const volumes = new Map<string, string>()
const daemons: Array<Daemon> = []
let hubEnv: Record<string, string>
let workerEnv: Record<string, string>
let demoEnv: Record<string, string>
let demoCommand: Array<string>
let binDir: string

const service = (name: string): Service => {
  const s = compose.services[name]
  if (s === undefined) throw new Error(`deploy/docker-compose.yml has no service ${name}`)
  return s
}

/** The service's environment with this network's addresses translated to the local ones. */
const translate = (serviceName: string): Record<string, string> => {
  const env = environmentOf(service(serviceName))
  const postgres = environmentOf(service("postgres"))
  const mounts = mountsOf(service(serviceName))
  const out: Record<string, string> = {}
  for (const [name, value] of Object.entries(env)) {
    out[name] = translateValue(serviceName, name, value, postgres, mounts)
  }
  return out
}

const translateValue = (
  serviceName: string,
  name: string,
  value: string,
  postgres: Record<string, string>,
  mounts: ReturnType<typeof mountsOf>
): string => {
  if (/^[a-z]+:\/\//.test(value)) {
    const url = new URL(value)
    if (!(url.hostname in compose.services)) {
      throw new Error(`${serviceName} ${name}: ${url.hostname} is not a service of deploy/docker-compose.yml`)
    }
    switch (url.hostname) {
      case "postgres": {
        expect(url.port, `${name} port`).toBe("5432")
        expect(decodeURIComponent(url.username), `${name} user`).toBe(postgres["POSTGRES_USER"])
        expect(decodeURIComponent(url.password), `${name} password`).toBe(postgres["POSTGRES_PASSWORD"])
        expect(url.pathname, `${name} database`).toBe(`/${postgres["POSTGRES_DB"]}`)
        return databaseUrl
      }
      case "redis":
        expect(url.port, `${name} port`).toBe("6379")
        return redisUrl
      case "hub":
        expect(url.port, `${name} port`).toBe(environmentOf(service("hub"))["HUB_PORT"])
        return `${url.protocol}//127.0.0.1:${hubPort}${url.pathname === "/" ? "" : url.pathname}`
      default:
        throw new Error(`${serviceName} ${name}: no local stand-in for ${url.hostname}`)
    }
  }
  if (serviceName === "hub" && name === "HUB_HOST") return "127.0.0.1"
  if (serviceName === "hub" && name === "HUB_PORT") {
    expect(service("hub").ports?.map((p) => p.split(":").at(-1))).toContain(value)
    return String(hubPort)
  }
  for (const mount of mounts) {
    if (value === mount.target || value.startsWith(`${mount.target}/`)) {
      return path.join(mount.named ? volumes.get(mount.source)! : mount.source, value.slice(mount.target.length))
    }
  }
  if (/_HOST$/.test(name) && value in compose.services) return "127.0.0.1"
  expect(value, `${serviceName} ${name} points at a host`).not.toMatch(/127\.0\.0\.1|localhost/)
  return value
}

/** The demo's SFTP server is the test's sshd: same login checks, its address, user and data. */
const translateDemo = (env: Record<string, string>) => {
  const sftp = environmentOf(service("sftp"))
  expect(env["DEMO_SFTP_HOST"]).toBe("127.0.0.1") // "sftp", translated as a service name
  expect(env["DEMO_SFTP_PORT"]).toBe("22")
  expect(env["DEMO_SFTP_USER"]).toBe(sftp["DEMO_SFTP_USER"])
  expect(env["DEMO_SFTP_PASSWORD"]).toBe(sftp["DEMO_SFTP_PASSWORD"])
  return {
    ...env,
    DEMO_SFTP_PORT: String(sshd.port),
    DEMO_SFTP_USER: sshd.username,
    DEMO_SFTP_PASSWORD: sshd.password!,
    DEMO_SOURCE_PATH: path.join(sshd.root, "data")
  }
}

/** The argv a container runs: the image's ENTRYPOINT ["xvault"] unless the service sets its own. */
const containerArgv = (name: string) => {
  const s = service(name)
  const mounts = mountsOf(s)
  const mapPath = (arg: string) => {
    const mount = mounts.find((m) => !m.named && arg === m.target)
    return mount ? mount.source : arg
  }
  const entrypoint = s.entrypoint !== undefined ? argv(s.entrypoint) : ["xvault"]
  return [...entrypoint, ...argv(s.command)].map(mapPath)
}

const xvaultCommand = (args: Array<string>) => {
  expect(args[0]).toBe("xvault")
  return [path.join(binDir, "xvault"), ...args.slice(1)]
}

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(fs.realpathSync(os.tmpdir()), "xvault-compose-"))
  binDir = path.join(work, "bin")
  fs.mkdirSync(binDir)
  fs.symlinkSync(path.join(repoRoot, "bin", "run.js"), path.join(binDir, "xvault"))

  const [db, server, port] = await Promise.all([
    inScope(freshDatabase({ migrated: false })), // empty: `hub serve --migrate` must build the schema
    inScope(startSshd({ password: true })),
    freePort()
  ])
  databaseUrl = db.url
  sshd = server
  hubPort = port
  // a small tree: the E2E tests cover what a backup keeps, this one what the deployment runs
  const data = path.join(sshd.root, "data")
  fs.mkdirSync(path.join(data, "docs"), { recursive: true })
  fs.writeFileSync(path.join(data, "README.txt"), "sample data\n")
  fs.writeFileSync(path.join(data, "docs", "items.csv"), "id,name\n1,one\n2,two\n".repeat(1000))
  fs.writeFileSync(path.join(data, "random.bin"), randomBytes(256 * 1024))
  const owner = fs.statSync(sshd.root).uid // the sshd's throwaway login
  for (const f of ["", ...filesUnder(data)]) fs.lchownSync(path.join(data, f), owner, -1)
  const prefix = await inScope(isolatedQueuePrefix(db.name))

  compose = readCompose({ ...dotenv.values, XVAULT_QUEUE_PREFIX: prefix })
  for (const volume of Object.keys(compose.volumes ?? {})) {
    const dir = path.join(work, "volumes", volume)
    fs.mkdirSync(dir, { recursive: true })
    volumes.set(volume, dir)
  }
  hubEnv = translate("hub")
  workerEnv = translate("worker")
  demoEnv = translateDemo(translate("demo"))
  demoCommand = containerArgv("demo")
})

afterAll(async () => {
  for (const d of daemons.reverse()) await d.stop()
  await Effect.runPromise(Scope.close(scope, Exit.void))
  fs.rmSync(work, { recursive: true, force: true })
})

describe("deploy/docker-compose.yml, run without an engine", () => {
  it("hub: its command and environment serve the API on an empty database; its healthcheck passes", async () => {
    const [command, ...args] = xvaultCommand(containerArgv("hub"))
    expect(args).toEqual(["hub", "serve", "--migrate"])
    const hub = daemon(command!, args, { ...baseEnv(), ...hubEnv })
    daemons.push(hub)
    await waitFor("hub", hub, async () =>
      hub.log().includes(`Listening on http://127.0.0.1:${hubPort}`) && (await httpStatus(`http://127.0.0.1:${hubPort}/readyz`)) === 200)

    const test = argv(service("hub").healthcheck!.test as Array<string>)
    expect(test[0]).toBe("CMD")
    const check = await run(test[1]!, test.slice(2), { env: { ...baseEnv(), ...hubEnv } })
    expect(check.code, check.stderr).toBe(0)
  }, 90_000)

  it("worker: its command and environment (the dev WORKER_TOKEN of .env.example) authenticate and get ready", async () => {
    const [command, ...args] = xvaultCommand(containerArgv("worker"))
    expect(args).toEqual(["worker", "run"])
    const worker = daemon(command!, args, { ...baseEnv(), ...workerEnv })
    daemons.push(worker)
    await waitFor("worker", worker, () => worker.log().includes(`worker ${workerEnv["WORKER_ID"]} ready`))
    expect(workerEnv["WORKER_STORAGE_BASE"]).toBe(volumes.get(mountsOf(service("worker"))[0]!.source))
  }, 90_000)

  it("demo: tenant create, source create, backup enqueue --wait; the snapshot lands in the worker's volume", async () => {
    expect(demoCommand.slice(0, 1)).toEqual(["sh"])
    const env = { ...baseEnv([binDir]), ...demoEnv }
    const first = await run(demoCommand[0]!, demoCommand.slice(1), { env, timeoutMs: 120_000 })
    expect(first.code, `${first.stdout}\n${first.stderr}`).toBe(0)
    expect(first.stdout).toMatch(/created tenant/)
    expect(first.stdout).toMatch(/created source/)

    const token = mint(Redacted.make(dotenv.values["HUB_JWT_SECRET"]!), { role: "admin", ttlSeconds: 600 })
    const cli = (args: Array<string>) =>
      runCli([...args, "--json"], { env: { HUB_BASE_URL: `http://127.0.0.1:${hubPort}`, XVAULT_TOKEN: token } })
    const tenants = JSON.parse((await cli(["tenant", "list"])).stdout) as Array<{ id: string; name: string }>
    const tenant = tenants.find((t) => t.name === demoEnv["DEMO_TENANT"])!
    const sources = JSON.parse((await cli(["source", "list", "--tenant-id", tenant.id])).stdout) as Array<{ id: string; name: string }>
    const source = sources.find((s) => s.name === demoEnv["DEMO_SOURCE"])!
    const listed = JSON.parse((await cli(["snapshot", "list", "--source-id", source.id])).stdout) as {
      snapshots: Array<{ id: string; workerId: string; locator: string }>
    }
    expect(listed.snapshots).toHaveLength(1)
    expect(listed.snapshots[0]!.workerId).toBe(dotenv.values["WORKER_ID"])
    const dir = path.join(workerEnv["WORKER_STORAGE_BASE"]!, "tenants", tenant.id, "sources", source.id, "snapshots", listed.snapshots[0]!.id)
    expect(filesUnder(dir)).toEqual(["backup.tar.zst.enc", "manifest.json"])
    expect(path.join(workerEnv["WORKER_STORAGE_BASE"]!, listed.snapshots[0]!.locator)).toBe(path.join(dir, "backup.tar.zst.enc"))

    // again: reuses what it made and takes one more snapshot
    const second = await run(demoCommand[0]!, demoCommand.slice(1), { env, timeoutMs: 120_000 })
    expect(second.code, `${second.stdout}\n${second.stderr}`).toBe(0)
    expect(second.stdout).toMatch(/reusing tenant/)
    expect(second.stdout).toMatch(/reusing source/)
    const again = JSON.parse((await cli(["snapshot", "list", "--source-id", source.id])).stdout) as { snapshots: Array<unknown> }
    expect(again.snapshots).toHaveLength(2)
  }, 240_000)
})
