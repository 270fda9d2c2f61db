import * as fs from "node:fs"
import * as path from "node:path"
import { Effect, Redacted } from "effect"
import { describe, expect, it } from "vitest"
import { verify } from "../../src/shared/auth/Jwt.js"
import { repoRoot } from "../support/HubProcess.js"
import {
  argv,
  composeFile,
  deployDir,
  type DotEnv,
  environmentOf,
  mountsOf,
  readCompose,
  readComposeRaw,
  readDotEnv,
  referencedVariables,
  workerOverrideFile
} from "./compose.js"

/**
 * deploy/docker-compose.yml read without an engine: what `docker-compose config -q` (CI) cannot
 * tell, i.e. whether the file is coherent with .env.example, the image and the application.
 * ComposeSmoke.test.ts then runs it.
 */

const dotenv: DotEnv = readDotEnv()
const raw = readComposeRaw()
const compose = readCompose(dotenv.values)
const services = compose.services
const env = (name: string) => environmentOf(services[name]!)

/** Set in .env.example for local runs, replaced by this network's addresses in Compose. */
const ADDRESSES = ["DATABASE_URL", "REDIS_URL", "HUB_BASE_URL", "HUB_HOST", "HUB_PORT", "WORKER_STORAGE_BASE"]

/** The roles an .env.example section is for, from its title ("Hub and worker", "all roles", ...). */
const rolesOfSection = (title: string) => {
  const t = title.toLowerCase()
  if (t.includes("docker compose")) return []
  if (t.includes("all roles")) return ["hub", "worker"]
  return ["hub", "worker"].filter((role) => new RegExp(`\\b${role}\\b`).test(t))
}

describe(".env.example", () => {
  it("works as Compose, a shell and the application read it: unquoted, no spaces or $", () => {
    for (const [name, value] of Object.entries(dotenv.values)) {
      expect(value, name).toMatch(/^[^\s'"$`\\#]*$/)
    }
  })

  it("has a comment above every variable", () => {
    const lines = fs.readFileSync(path.join(repoRoot, ".env.example"), "utf8").split("\n")
    lines.forEach((line, i) => {
      if (/^[A-Z][A-Z0-9_]*=/.test(line) && !/^HUB_HOST=/.test(line)) {
        expect(lines[i - 1], `no comment above ${line}`).toMatch(/^#/)
      }
    })
  })

  it("names the command that makes each production secret", () => {
    const text = fs.readFileSync(path.join(repoRoot, ".env.example"), "utf8")
    expect(text).toContain("openssl rand -base64 48") // HUB_JWT_SECRET
    expect(text).toContain("openssl rand -base64 32") // HUB_ENCRYPTION_KEK
    expect(text).toContain("openssl rand -hex 32") // POSTGRES_PASSWORD
    expect(text).toMatch(/token create --role worker --worker-id worker-1/) // WORKER_TOKEN
  })

  it("has a dev worker token that authenticates as WORKER_ID with the dev HUB_JWT_SECRET for years to come", async () => {
    const principal = await Effect.runPromise(
      verify(Redacted.make(dotenv.values["HUB_JWT_SECRET"]!), dotenv.values["WORKER_TOKEN"]!, new Date())
    )
    expect(principal).toMatchObject({ role: "worker", workerId: dotenv.values["WORKER_ID"] })
    // fails a year before the token expires, not the day a fresh clone stops working
    const inAYear = new Date(Date.now() + 366 * 86_400_000)
    await expect(Effect.runPromise(
      verify(Redacted.make(dotenv.values["HUB_JWT_SECRET"]!), dotenv.values["WORKER_TOKEN"]!, inAYear)
    )).resolves.toMatchObject({ workerId: dotenv.values["WORKER_ID"] })
  })
})

describe("deploy/docker-compose.yml", () => {
  it("reads the top-level .env: deploy/.env is a symlink to it", () => {
    const link = path.join(deployDir, ".env")
    expect(fs.lstatSync(link).isSymbolicLink()).toBe(true)
    expect(fs.readlinkSync(link)).toBe("../.env")
  })

  it("pins every image by version and builds hub, worker and demo from the one Dockerfile", () => {
    for (const [name, service] of Object.entries(services)) {
      expect(service.image, name).toBeDefined()
      if (service.build === undefined) {
        expect(service.image, `${name} pins its image`).toMatch(/^[\w./-]+:\d+\.\d+(\.\d+)?[\w.-]*(@sha256:[0-9a-f]{64})?$/)
      }
    }
    for (const name of ["hub", "worker", "demo"]) {
      expect(services[name]!.image).toBe("xvault:local")
      expect(services[name]!.build).toEqual({ context: "..", dockerfile: "deploy/docker/Dockerfile" })
    }
    expect(services["postgres"]!.image).toMatch(/^postgres:16\./)
    expect(services["redis"]!.image).toMatch(/^redis:7\./)
  })

  it("gives postgres and redis a healthcheck and a named volume", () => {
    for (const name of ["postgres", "redis"]) {
      expect(argv(services[name]!.healthcheck?.test as Array<string>)[0], name).toBe("CMD")
      const mounts = mountsOf(services[name]!)
      expect(mounts.some((m) => m.named && Object.keys(compose.volumes ?? {}).includes(m.source)), name).toBe(true)
    }
    expect(mountsOf(services["postgres"]!)[0]!.target).toBe("/var/lib/postgresql/data")
    expect(mountsOf(services["redis"]!)[0]!.target).toBe("/data")
  })

  it("runs the roles with their commands; the hub checks /readyz, a worker has no healthcheck", () => {
    expect(argv(services["hub"]!.command)).toEqual(["hub", "serve", "--migrate"])
    expect(argv(services["worker"]!.command)).toEqual(["worker", "run"])
    expect(argv(services["hub"]!.healthcheck?.test as Array<string>).join(" ")).toMatch(/^CMD node -e .*\/readyz/)
    expect(services["worker"]!.healthcheck).toEqual({ disable: true })
    expect(services["hub"]!.ports).toEqual([`${dotenv.values["HUB_PUBLISH"]}:8080`])
    expect(env("hub")["HUB_PORT"]).toBe("8080")
  })

  it("starts in order: hub after healthy postgres and redis, worker after a healthy hub", () => {
    expect(services["hub"]!.depends_on).toEqual({
      postgres: { condition: "service_healthy" },
      redis: { condition: "service_healthy" }
    })
    expect(services["worker"]!.depends_on).toEqual({
      hub: { condition: "service_healthy" },
      redis: { condition: "service_healthy" }
    })
    for (const [name, service] of Object.entries(services)) {
      for (const [dependency, { condition }] of Object.entries(service.depends_on ?? {})) {
        expect(services[dependency], `${name} depends on ${dependency}`).toBeDefined()
        if (condition === "service_healthy") {
          expect(services[dependency]!.healthcheck?.disable, `${dependency} has a healthcheck`).not.toBe(true)
        }
      }
    }
  })

  it("mounts the worker's named volume where it writes snapshots", () => {
    const [mount] = mountsOf(services["worker"]!)
    expect(mount).toMatchObject({ named: true, target: env("worker")["WORKER_STORAGE_BASE"] })
    expect(Object.keys(compose.volumes ?? {})).toContain(mount!.source)
    // the image's user owns this directory, so a new named volume starts out writable
    expect(fs.readFileSync(path.join(deployDir, "docker", "Dockerfile"), "utf8")).toContain(`chown -R 10001:10001 /var/lib/xvault`)
    expect(mount!.target).toBe("/var/lib/xvault/backups")
  })

  it("gives each role every variable .env.example lists for it, and nothing undocumented", () => {
    for (const role of ["hub", "worker"]) {
      const expected = Object.keys(dotenv.values).filter((name) => rolesOfSection(dotenv.sectionOf[name]!).includes(role))
      for (const name of expected) {
        expect(Object.keys(env(role)), `add ${name} to the ${role} service's environment in deploy/docker-compose.yml`).toContain(name)
      }
      for (const name of Object.keys(env(role))) {
        expect(dotenv.documented.has(name), `${role}: ${name} is not in .env.example`).toBe(true)
      }
    }
  })

  it("takes every value from .env except this network's addresses, which never point at 127.0.0.1", () => {
    for (const role of ["hub", "worker"]) {
      for (const [name, value] of Object.entries(environmentOf(raw.services[role]!))) {
        if (ADDRESSES.includes(name)) {
          expect(value, `${role} ${name}`).not.toMatch(/127\.0\.0\.1|localhost/)
        } else {
          expect(value, `${role} ${name} must come from .env as \${${name}...}`).toMatch(new RegExp(`^\\$\\{${name}[:?}-]`))
        }
      }
    }
    // a worker never sees what only the Hub may hold
    for (const secret of ["HUB_JWT_SECRET", "HUB_ENCRYPTION_KEK", "HUB_ENCRYPTION_KEK_PREVIOUS", "DATABASE_URL"]) {
      expect(Object.keys(env("worker"))).not.toContain(secret)
    }
  })

  it("builds the Hub's database URL from the postgres service's own user, password and database", () => {
    const url = new URL(env("hub")["DATABASE_URL"]!)
    const postgres = env("postgres")
    expect(url.hostname).toBe("postgres")
    expect(decodeURIComponent(url.username)).toBe(postgres["POSTGRES_USER"])
    expect(decodeURIComponent(url.password)).toBe(postgres["POSTGRES_PASSWORD"])
    expect(url.pathname).toBe(`/${postgres["POSTGRES_DB"]}`)
    expect(env("hub")["REDIS_URL"]).toBe("redis://redis:6379")
    expect(env("worker")["REDIS_URL"]).toBe("redis://redis:6379")
    expect(env("worker")["HUB_BASE_URL"]).toBe("http://hub:8080")
  })

  it("references only variables .env.example documents", () => {
    for (const file of [composeFile, workerOverrideFile]) {
      for (const name of referencedVariables(fs.readFileSync(file, "utf8"))) {
        expect(dotenv.documented.has(name), `${path.basename(file)} uses ${name}, which .env.example does not list`).toBe(true)
      }
    }
  })

  it("fails with a message naming the variable when .env is missing", () => {
    expect(() => readCompose({})).toThrow(/required variable \w+ is missing a value: \w+ is not set - cp \.env\.example \.env/)
  })

  it("demo profile: an SFTP server and a one-shot that runs deploy/demo/demo.sh against it", () => {
    expect(services["sftp"]!.profiles).toEqual(["demo"])
    expect(services["demo"]!.profiles).toEqual(["demo"])
    expect(services["sftp"]!.build).toEqual({ context: "./demo/sftp" })
    const demo = env("demo")
    const sftp = env("sftp")
    expect(demo["DEMO_SFTP_HOST"]).toBe("sftp")
    expect(demo["DEMO_SFTP_USER"]).toBe(sftp["DEMO_SFTP_USER"])
    expect(demo["DEMO_SFTP_PASSWORD"]).toBe(sftp["DEMO_SFTP_PASSWORD"])
    expect(demo["HUB_BASE_URL"]).toBe("http://hub:8080")
    const script = mountsOf(services["demo"]!).find((m) => m.target === argv(services["demo"]!.entrypoint)[1])
    expect(script).toMatchObject({ named: false, readOnly: true, source: path.join(deployDir, "demo", "demo.sh") })
    expect(services["demo"]!.depends_on).toMatchObject({
      hub: { condition: "service_healthy" },
      sftp: { condition: "service_healthy" }
    })
    // the sample data the demo backs up is where the sftp image puts it
    expect(fs.readFileSync(path.join(deployDir, "demo", "sftp", "Dockerfile"), "utf8")).toContain(demo["DEMO_SOURCE_PATH"])
  })
})

describe("deploy/docker-compose.worker-2.yml (scaling out)", () => {
  const second = readCompose({ ...dotenv.values, WORKER_2_TOKEN: "t" }, workerOverrideFile)
  const worker2 = second.services["worker-2"]!

  it("is the worker service with its own id, token and volume, and nothing else different", () => {
    const { environment: env1, volumes: v1, ...rest1 } = services["worker"]!
    const { environment: env2, volumes: v2, ...rest2 } = worker2
    expect(rest2).toEqual(rest1)
    const e1 = environmentOf({ environment: env1! })
    const e2 = environmentOf({ environment: env2! })
    expect(e2["WORKER_ID"]).not.toBe(e1["WORKER_ID"])
    expect(environmentOf(readComposeRaw(workerOverrideFile).services["worker-2"]!)["WORKER_TOKEN"]).toMatch(/^\$\{WORKER_2_TOKEN:\?/)
    const without = (e: Record<string, string>) => ({ ...e, WORKER_ID: "", WORKER_TOKEN: "" })
    expect(without(e2)).toEqual(without(e1))
    const [m1] = mountsOf({ volumes: v1! })
    const [m2] = mountsOf({ volumes: v2! })
    expect(m2!.target).toBe(m1!.target)
    expect(m2!.source).not.toBe(m1!.source)
    expect(Object.keys(second.volumes ?? {})).toContain(m2!.source)
  })
})
