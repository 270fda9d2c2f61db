import * as fs from "node:fs"
import * as path from "node:path"
import { describe, expect, it } from "vitest"
import { repoRoot } from "../support/HubProcess.js"
import { deployDir, dockerfile, readComposeRaw, run } from "./compose.js"

/**
 * The container step of CI (deploy/ci/) read without an engine: what would otherwise only show
 * as a failed CI run on a machine that cannot pull. The step itself builds the image and runs the
 * compose file for real (deploy/ci/run.sh, from .ci/run).
 */

const ciDir = path.join(deployDir, "ci")
const scripts = fs.readdirSync(ciDir).filter((f) => f.endsWith(".sh"))

/** Every image a Dockerfile in deploy/ starts FROM, less its own stages. */
const fromImages = (file: string) => {
  const stages = new Set<string>()
  const images: Array<string> = []
  for (const [, image, stage] of fs.readFileSync(file, "utf8").matchAll(/^FROM\s+(\S+)(?:\s+AS\s+(\S+))?/gim)) {
    if (!stages.has(image!)) images.push(image!)
    if (stage) stages.add(stage)
  }
  return images
}

describe("deploy/ci", () => {
  it("has scripts that bash parses", async () => {
    expect(scripts).toEqual(expect.arrayContaining(["engine.sh", "offline-images.sh", "compose-test.sh", "run.sh"]))
    for (const script of scripts) {
      const parsed = await run("bash", ["-n", path.join(ciDir, script)])
      expect(parsed.code, `${script}: ${parsed.stderr}`).toBe(0)
    }
  })

  it("offline-images.sh makes a stand-in for exactly the images deploy/ needs from a registry", async () => {
    const listed = await run("bash", [path.join(ciDir, "offline-images.sh"), "--list"])
    expect(listed.code, listed.stderr).toBe(0)
    const compose = readComposeRaw()
    const pulled = Object.values(compose.services).filter((s) => s.build === undefined).map((s) => s.image!)
    const needed = new Set([...fromImages(dockerfile), ...fromImages(path.join(deployDir, "demo", "sftp", "Dockerfile")), ...pulled])
    expect(new Set(listed.stdout.trim().split("\n"))).toEqual(needed)
  })

  it(".ci/run runs the container step, fails on its failure, and ends with the README's test command", () => {
    const ci = fs.readFileSync(path.join(repoRoot, ".ci", "run"), "utf8").trim().split("\n")
    const step = ci.findIndex((line) => /^bash deploy\/ci\/run\.sh \|\| containers=\$\?$/.test(line))
    const tests = ci.indexOf("npm test")
    expect(step, "bash deploy/ci/run.sh").toBeGreaterThan(0)
    expect(tests).toBeGreaterThan(step)
    expect(ci.slice(tests + 1).join("\n")).toMatch(/if \[ "\$containers" != 0 \]; then[\s\S]*exit 1\s+fi$/)
    expect(fs.readFileSync(path.join(repoRoot, "README.md"), "utf8")).toMatch(/```sh\nnpm test\n```/)
  })
})
