import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { Effect, Exit, Redacted, Scope } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { mint } from "../../src/shared/auth/Jwt.js"
import type { WorkerId } from "../../src/shared/contract/Ids.js"
import { freshDatabase } from "../support/Database.js"
import { redisUrl, testJwtSecret, testKekBase64 } from "../support/env.js"
import { repoRoot } from "../support/HubProcess.js"
import { isolatedQueuePrefix } from "../support/QueuePrefix.js"
import { baseEnv, daemon, type Daemon, dockerfile, freePort, httpStatus, run, waitFor } from "./compose.js"

/**
 * What deploy/docker/Dockerfile assembles, without an engine: `npm pack` the project (build
 * stage), unpack it into an empty directory, install its production dependencies from the
 * lockfile there (deps stage: `npm ci --omit=dev`, install scripts and all, then the stage's own
 * `find node_modules … -delete` of files nothing loads), put `xvault` on PATH as a link to
 * bin/run.js, and run it from elsewhere (runtime stage). A file missing from package.json
 * "files", a runtime import of a dev dependency, or a pruned file that is loaded after all, fails
 * here. CI also builds and runs the image itself (deploy/ci/run.sh).
 */

/** The deps stage's prune, exactly as deploy/docker/Dockerfile writes it. */
const pruneCommand = (() => {
  const text = fs.readFileSync(dockerfile, "utf8").replace(/\\\n/g, " ")
  const found = /find node_modules [^&\n]*-delete/.exec(text)
  if (!found) throw new Error(`${dockerfile}: no "find node_modules ... -delete" in the deps stage`)
  return found[0].replace(/\s+/g, " ")
})()

const scope = Effect.runSync(Scope.make())
const inScope = <A, E>(effect: Effect.Effect<A, E, Scope.Scope>) => Effect.runPromise(Scope.extend(effect, scope))

const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, "package.json"), "utf8")) as {
  files: Array<string>
  bin: Record<string, string>
  dependencies: Record<string, string>
}
const lock = JSON.parse(fs.readFileSync(path.join(repoRoot, "package-lock.json"), "utf8")) as {
  packages: Record<string, { dev?: boolean; optional?: boolean }>
}

let work: string
let app: string
let packed: Array<string>
const daemons: Array<Daemon> = []

/**
 * npm as the Dockerfile runs it, on the directory given, whatever npm runs this test
 * (`npm test` exports its own prefix and package as npm_* variables); --prefer-offline takes what
 * the npm cache holds.
 */
const npm = async (args: Array<string>, cwd: string) => {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) =>
    !/^npm_(config_(local_prefix|prefix|global_prefix)$|lifecycle_|package_|command$)/.test(name))) as Record<string, string>
  const result = await run("npm", [...args, "--prefix", cwd], { cwd, env, timeoutMs: 240_000 })
  expect(result.code, `npm ${args.join(" ")}:\n${result.stderr}`).toBe(0)
  return result.stdout
}

/** `xvault ...` as the image runs it: the link on PATH, from a directory that is not the package's. */
const xvaultEnv = (env: Record<string, string>) => ({ ...baseEnv([path.join(work, "bin")]), ...env })
const xvault = (args: Array<string>, env: Record<string, string> = {}) =>
  run("xvault", args, { cwd: work, env: xvaultEnv(env) })

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(fs.realpathSync(os.tmpdir()), "xvault-package-"))
  app = path.join(work, "opt", "xvault")
  fs.mkdirSync(app, { recursive: true })
  fs.mkdirSync(path.join(work, "bin"))

  const [report] = JSON.parse(await npm(["pack", "--json", "--ignore-scripts", "--pack-destination", work], repoRoot)) as Array<{
    filename: string
    files: Array<{ path: string }>
  }>
  packed = report!.files.map((f) => f.path).sort()
  const unpacked = await run("tar", ["-xzf", path.join(work, report!.filename), "-C", app, "--strip-components=1"])
  expect(unpacked.code, unpacked.stderr).toBe(0)
  fs.copyFileSync(path.join(repoRoot, "package-lock.json"), path.join(app, "package-lock.json"))
  await npm(["ci", "--omit=dev", "--prefer-offline", "--no-audit", "--no-fund"], app)
  const pruned = await run("sh", ["-c", pruneCommand], { cwd: app })
  expect(pruned.code, `${pruneCommand}:\n${pruned.stderr}`).toBe(0)
  fs.symlinkSync(path.join(app, pkg.bin["xvault"]!), path.join(work, "bin", "xvault"))
}, 300_000)

afterAll(async () => {
  for (const d of daemons.reverse()) await d.stop()
  await Effect.runPromise(Scope.close(scope, Exit.void))
  fs.rmSync(work, { recursive: true, force: true })
})

describe("the package (npm pack), installed with production dependencies only", () => {
  it("holds bin/, dist/, migrations/ and the oclif manifest, and no TypeScript source", () => {
    expect(pkg.files.sort()).toEqual(["bin", "dist", "migrations", "oclif.manifest.json"])
    // npm adds package.json and README.md to every package
    for (const file of packed) {
      expect(file, file).toMatch(/^(bin\/|dist\/|migrations\/|oclif\.manifest\.json$|package\.json$|README\.md$)/)
      expect(file, file).not.toMatch(/\.ts$/)
    }
    for (const migration of fs.readdirSync(path.join(repoRoot, "migrations"))) {
      expect(packed).toContain(`migrations/${migration}`)
    }
    // every command the manifest names is in the package
    const manifest = JSON.parse(fs.readFileSync(path.join(app, "oclif.manifest.json"), "utf8")) as {
      commands: Record<string, { relativePath: Array<string> }>
    }
    expect(Object.keys(manifest.commands).length).toBeGreaterThan(10)
    for (const [id, command] of Object.entries(manifest.commands)) {
      expect(packed, id).toContain(command.relativePath.join("/"))
    }
    // source maps point at the sources but do not carry them
    for (const map of packed.filter((f) => f.endsWith(".map"))) {
      expect(JSON.parse(fs.readFileSync(path.join(app, map), "utf8")).sourcesContent, map).toBeUndefined()
    }
  })

  it("installs no dev dependency, every production one, and the glibc zstd binding that loads", async () => {
    const installed = (name: string) => fs.existsSync(path.join(app, name, "package.json"))
    for (const [location, entry] of Object.entries(lock.packages)) {
      if (location === "" || !location.startsWith("node_modules/")) continue
      if (entry.dev === true) expect(installed(location), `${location} is a dev dependency`).toBe(false)
    }
    for (const name of Object.keys(pkg.dependencies)) expect(installed(`node_modules/${name}`), name).toBe(true)
    expect(installed("node_modules/@mongodb-js/zstd-linux-x64-gnu") || process.arch !== "x64").toBe(true)
    expect(installed("node_modules/@mongodb-js/zstd-linux-x64-musl")).toBe(false)
    const zstd = await run(process.execPath, [
      "--input-type=module",
      "-e",
      "const { compress, decompress } = await import('@mongodb-js/zstd'); " +
        "const out = await decompress(await compress(Buffer.from('xvault'), 3)); if (out.toString() !== 'xvault') process.exit(1)"
    ], { cwd: app, env: baseEnv() })
    expect(zstd.code, zstd.stderr).toBe(0)
  })

  it("xvault --help", async () => {
    const help = await xvault(["--help"])
    expect(help.code, help.stderr).toBe(0)
    for (const topic of ["hub", "worker", "tenant", "source", "backup", "migrate"]) expect(help.stdout).toContain(topic)
  })

  it("xvault migrate, xvault hub serve (ready on /readyz) and xvault worker run", async () => {
    const db = await inScope(freshDatabase({ migrated: false }))
    const prefix = await inScope(isolatedQueuePrefix(db.name))
    const migrate = await xvault(["migrate"], { DATABASE_URL: db.url })
    expect(migrate.code, migrate.stderr).toBe(0)
    expect(migrate.stderr).toMatch(/applied migration/)

    const port = await freePort()
    const hub = daemon("xvault", ["hub", "serve", "--host", "127.0.0.1", "--port", String(port)], xvaultEnv({
      DATABASE_URL: db.url,
      REDIS_URL: redisUrl,
      XVAULT_QUEUE_PREFIX: prefix,
      HUB_JWT_SECRET: testJwtSecret,
      HUB_ENCRYPTION_KEK: testKekBase64
    }), work)
    daemons.push(hub)
    await waitFor("packaged hub", hub, async () => (await httpStatus(`http://127.0.0.1:${port}/readyz`)) === 200)

    const storage = path.join(work, "backups")
    const worker = daemon("xvault", ["worker", "run"], xvaultEnv({
      WORKER_ID: "pkg-1",
      WORKER_TOKEN: mint(Redacted.make(testJwtSecret), { role: "worker", workerId: "pkg-1" as WorkerId, ttlSeconds: 600 }),
      WORKER_STORAGE_BASE: storage,
      HUB_BASE_URL: `http://127.0.0.1:${port}`,
      REDIS_URL: redisUrl,
      XVAULT_QUEUE_PREFIX: prefix
    }), work)
    daemons.push(worker)
    await waitFor("packaged worker", worker, () => worker.log().includes("worker pkg-1 ready"))

    await worker.stop()
    await hub.stop()
    expect(hub.exitCode()).toBe(0)
  }, 120_000)
})
