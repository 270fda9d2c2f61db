import * as fs from "node:fs"
import * as path from "node:path"
import { describe, expect, it } from "vitest"
import { repoRoot } from "../support/HubProcess.js"
import { argv, deployDir, dockerfile, readComposeRaw } from "./compose.js"

/**
 * deploy/docker/Dockerfile read statically (CI builds and runs it: deploy/ci/run.sh): pinned bases, a
 * non-root runtime user with a fixed uid, a runtime stage holding only the packed package and
 * its production dependencies (Packaging.test.ts does the same steps for real), ENTRYPOINT,
 * HEALTHCHECK, labels, and a .dockerignore that lets in exactly what the build needs.
 */

interface Instruction {
  readonly keyword: string
  readonly args: string
}

interface Stage {
  readonly from: string
  readonly name: string | undefined
  readonly instructions: ReadonlyArray<Instruction>
}

const parseDockerfile = (file: string): Array<Stage> => {
  const text = fs.readFileSync(file, "utf8")
    .split("\n")
    .filter((line) => !/^\s*#/.test(line))
    .join("\n")
    .replace(/\\\n/g, " ")
  const stages: Array<{ from: string; name: string | undefined; instructions: Array<Instruction> }> = []
  for (const line of text.split("\n")) {
    const match = /^\s*([A-Za-z]+)\s+(.*)$/.exec(line)
    if (!match) continue
    const keyword = match[1]!.toUpperCase()
    const args = match[2]!.trim().replace(/\s+/g, " ")
    if (keyword === "FROM") {
      const [from, as, name] = args.split(" ")
      stages.push({ from: from!, name: as?.toUpperCase() === "AS" ? name : undefined, instructions: [] })
    } else {
      stages.at(-1)!.instructions.push({ keyword, args })
    }
  }
  return stages
}

const stages = parseDockerfile(dockerfile)
const runtime = stages.at(-1)!
const build = stages.find((s) => s.name === "build")!
const deps = stages.find((s) => s.name === "deps")!
const all = (stage: Stage, keyword: string) => stage.instructions.filter((i) => i.keyword === keyword).map((i) => i.args)
const one = (stage: Stage, keyword: string) => {
  const found = all(stage, keyword)
  expect(found, keyword).toHaveLength(1)
  return found[0]!
}
const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, "package.json"), "utf8")) as {
  version: string
  bin: Record<string, string>
  engines: { node: string }
}

/** name:1.2.3-variant, or Debian's 12.12 point release (a digest may follow), never latest or a bare major. */
const PINNED = /^[\w./-]+:\d+\.\d+(\.\d+)?-[\w.-]+(@sha256:[0-9a-f]{64})?$/

describe("deploy/docker/Dockerfile", () => {
  it("builds on a pinned Node.js LTS slim (glibc) base and runs on Debian slim of the same release", () => {
    expect(stages.map((s) => s.name)).toEqual(["build", "deps", "runtime"])
    const minimum = /^>=\s*(\d+)\.(\d+)/.exec(pkg.engines.node)!
    for (const stage of stages) expect(stage.from, stage.name).toMatch(PINNED)
    for (const stage of [build, deps]) {
      expect(stage.from).toMatch(/^node:\d+\.\d+\.\d+-(bookworm|trixie)-slim$/) // glibc: @mongodb-js/zstd's gnu build
      const [major, minor] = /^node:(\d+)\.(\d+)/.exec(stage.from)!.slice(1).map(Number) as [number, number]
      expect(major % 2, "an even (LTS) major").toBe(0)
      expect(major > Number(minimum[1]) || (major === Number(minimum[1]) && minor >= Number(minimum[2]))).toBe(true)
    }
    // native modules are resolved and built (deps) for the platform they run on (runtime)
    expect(deps.from).toBe(build.from)
    const release = { bookworm: "12", trixie: "13" }[/-(bookworm|trixie)-slim$/.exec(deps.from)![1] as "bookworm" | "trixie"]
    expect(runtime.from).toMatch(new RegExp(`^debian:${release}\\.\\d+-slim$`))
  })

  it("runtime stage: Node.js is the node image's own binary, no npm, headers or toolchain", () => {
    const copies = all(runtime, "COPY")
    expect(copies[0]).toBe("--from=deps /usr/local/bin/node /usr/local/bin/node")
    const runs = all(runtime, "RUN").join(" ")
    expect(runs).not.toMatch(/npm /)
    // the one package: OpenSSH's client for the worker's SFTP transport, nothing it merely recommends, no apt lists left
    expect(runs.match(/apt-get install[^&]*/g)).toEqual(["apt-get install -y --no-install-recommends openssh-client "])
    expect(runs).toMatch(/apt-get install[^&]*&& rm -rf \/var\/lib\/apt\/lists\/\*/)
  })

  it("build stage: compiles TypeScript, generates the oclif manifest and packs the package", () => {
    const runs = all(build, "RUN").join(" && ")
    expect(runs).toMatch(/npm ci\b/)
    expect(runs).toMatch(/npm run build\b/) // tsc + oclif manifest (package.json scripts.build)
    expect(runs).toMatch(/npm pack\b.*tar -xzf \S+ -C \/package/)
  })

  it("deps stage: production dependencies only, from package.json and the lockfile", () => {
    expect(all(deps, "COPY")).toEqual(["package.json package-lock.json ./"])
    const runs = all(deps, "RUN").join(" && ")
    expect(runs.match(/npm (ci|install)\b[^&]*/g)).toEqual([expect.stringMatching(/^npm ci --omit=dev\b/)])
    expect(one(deps, "WORKDIR")).toBe("/opt/xvault")
  })

  it("runtime stage: only the packed package (bin, dist, migrations, manifest) and those dependencies", () => {
    expect(all(runtime, "COPY")).toEqual([
      "--from=deps /usr/local/bin/node /usr/local/bin/node",
      "--from=deps /opt/xvault/node_modules ./node_modules",
      "--from=build /package/ ./"
    ])
    expect(all(runtime, "RUN").join(" && ")).not.toMatch(/npm (ci|install)\b/)
    expect(all(runtime, "ADD")).toEqual([])
    expect(one(runtime, "ENV")).toMatch(/NODE_ENV=production/)
  })

  it("runs as a non-root user with a fixed uid that owns /var/lib/xvault/backups", () => {
    const user = one(runtime, "USER")
    expect(user).toMatch(/^\d+:\d+$/) // numeric, so runAsNonRoot can verify it
    const [uid, gid] = user.split(":").map(Number) as [number, number]
    expect(uid).toBeGreaterThan(0)
    expect(gid).toBeGreaterThan(0)
    const runs = all(runtime, "RUN").join(" && ")
    expect(runs).toContain(`useradd --system --uid ${uid} --gid ${gid}`)
    expect(runs).toContain(`mkdir -p /var/lib/xvault/backups`)
    expect(runs).toContain(`chown -R ${uid}:${gid} /var/lib/xvault`)
    // the USER comes after every RUN, so nothing runs as root at run time
    const last = runtime.instructions.map((i) => i.keyword)
    expect(last.lastIndexOf("RUN")).toBeLessThan(last.indexOf("USER"))
  })

  it("puts xvault on PATH as the package's bin and makes it the ENTRYPOINT", () => {
    expect(JSON.parse(one(runtime, "ENTRYPOINT"))).toEqual(["xvault"])
    expect(one(runtime, "WORKDIR")).toBe("/opt/xvault")
    const target = path.posix.join("/opt/xvault", pkg.bin["xvault"]!)
    expect(all(runtime, "RUN").join(" ")).toContain(`ln -s ${target} /usr/local/bin/xvault`)
  })

  it("has a HEALTHCHECK on the Hub's /readyz, the same command the compose hub service uses", () => {
    const healthcheck = one(runtime, "HEALTHCHECK")
    const match = /^(.*?)CMD (\[.*\])$/.exec(healthcheck)!
    expect(match[1]).toMatch(/--interval=\S+ --timeout=\S+ --start-period=\S+ --retries=\d+/)
    const command = JSON.parse(match[2]!) as Array<string>
    expect(command.join(" ")).toMatch(/^node -e .*HUB_PORT.*\/readyz/)
    const compose = argv(readComposeRaw().services["hub"]!.healthcheck!.test as Array<string>)
    expect(compose).toEqual(["CMD", ...command])
    expect(one(runtime, "EXPOSE")).toBe("8080")
  })

  it("is labelled, with the version of package.json", () => {
    const labels = all(runtime, "LABEL").join(" ")
    expect(labels).toContain(`org.opencontainers.image.title="xVault"`)
    expect(labels).toContain(`org.opencontainers.image.version="\${XVAULT_VERSION}"`)
    expect(all(runtime, "ARG")).toContain(`XVAULT_VERSION=${pkg.version}`)
  })
})

describe(".dockerignore", () => {
  const lines = fs.readFileSync(path.join(repoRoot, ".dockerignore"), "utf8").split("\n").filter((l) => l.trim() !== "" && !l.startsWith("#"))

  it("lets in exactly what the build stage copies, and nothing else (no .env, node_modules, dist, .git)", () => {
    // an allow-list: everything out, then the build inputs back in
    expect(lines[0]).toBe("*")
    const allowed = lines.slice(1).map((l) => {
      expect(l, "only !name exceptions after *").toMatch(/^![\w.-]+$/)
      return l.slice(1)
    })
    const copied = [...all(build, "COPY"), ...all(deps, "COPY")]
      .flatMap((args) => args.split(" ").slice(0, -1))
      .filter((a) => !a.startsWith("--"))
    expect(new Set(allowed)).toEqual(new Set(copied))
    for (const input of copied) expect(fs.existsSync(path.join(repoRoot, input)), input).toBe(true)
  })
})

describe("deploy/demo/sftp/Dockerfile", () => {
  it("is on the runtime image's pinned Debian base (one Debian image to pull, or to make offline)", () => {
    const [stage] = parseDockerfile(path.join(deployDir, "demo", "sftp", "Dockerfile"))
    expect(stage!.from).toMatch(/^debian:\d+\.\d+(\.\d+)?-slim$/)
    expect(stage!.from).toBe(runtime.from)
  })
})
