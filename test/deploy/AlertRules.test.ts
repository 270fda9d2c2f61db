import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { describe, expect, it } from "vitest"
import { parse } from "yaml"
import { repoRoot } from "../support/HubProcess.js"

const rulesFile = path.join(repoRoot, "deploy/prometheus/alerts.yml")

interface Rule {
  readonly alert?: string
  readonly expr: string
  readonly for?: string
  readonly labels?: Record<string, string>
  readonly annotations?: Record<string, string>
}

/** Every metric name docs/operations.md lists in its Hub and worker tables. */
const documented = () => {
  const doc = fs.readFileSync(path.join(repoRoot, "docs/operations.md"), "utf8")
  return new Set([...doc.matchAll(/^\| `(xvault_[a-z_]+)` \| (?:counter|gauge|histogram) \|/gm)].map((m) => m[1]!))
}

describe("deploy/prometheus/alerts.yml", () => {
  it("promtool check rules accepts it", () => {
    const check = spawnSync("promtool", ["check", "rules", rulesFile], { encoding: "utf8" })
    expect(check.error).toBeUndefined()
    expect(check.status, `${check.stdout}${check.stderr}`).toBe(0)
    expect(check.stdout).toMatch(/SUCCESS: \d+ rules found/)
  })

  it("promtool test rules: a missed backup, a gone worker and a low disk fire, with their labels and texts, and not before", () => {
    const check = spawnSync("promtool", ["test", "rules", "alerts.test.yml"], { cwd: path.dirname(rulesFile), encoding: "utf8" })
    expect(check.error).toBeUndefined()
    expect(check.status, `${check.stdout}${check.stderr}`).toBe(0)
    expect(check.stdout).toContain("SUCCESS")
  })

  it("alerts on a missed backup, a gone worker and a nearly full disk, using only metrics we export", () => {
    const file = parse(fs.readFileSync(rulesFile, "utf8")) as { groups: Array<{ name: string; rules: Array<Rule> }> }
    const rules = file.groups.flatMap((g) => g.rules)
    expect(rules.map((r) => r.alert)).toEqual(expect.arrayContaining(["XvaultBackupMissed", "XvaultWorkerGone", "XvaultWorkerDiskNearlyFull"]))
    const exported = documented()
    expect(exported.size).toBeGreaterThan(15)
    for (const rule of rules) {
      const used = [...rule.expr.matchAll(/\b(xvault_[a-z_]+)/g)].map((m) => m[1]!.replace(/_(bucket|sum|count)$/, ""))
      expect(used.length, `${rule.alert}: its expression uses no xVault metric`).toBeGreaterThan(0)
      for (const name of used) expect(exported.has(name), `${rule.alert} uses ${name}, which is not exported`).toBe(true)
      expect(rule.annotations?.["summary"], `${rule.alert} has a summary`).toBeTruthy()
      expect(["warning", "critical"]).toContain(rule.labels?.["severity"])
    }
  })
})
