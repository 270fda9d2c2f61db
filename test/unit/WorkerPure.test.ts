import { describe, expect, it } from "vitest"
import { retryDelaySeconds } from "../../src/hub/Jobs/Backoff.js"
import { artifactLocator } from "../../src/shared/storage/Locators.js"
import { resolveLocator } from "../../src/worker/storage/LocalPaths.js"

describe("retry backoff", () => {
  it("waits the base before the second attempt and doubles after, capped at an hour", () => {
    expect([2, 3, 4, 5].map((n) => retryDelaySeconds(30, n))).toEqual([30, 60, 120, 240])
    expect(retryDelaySeconds(30, 20)).toBe(3600)
    expect(retryDelaySeconds(0, 3)).toBe(0)
  })
})

describe("snapshot locators", () => {
  const ref = {
    tenantId: "11111111-1111-4111-8111-111111111111",
    sourceId: "22222222-2222-4222-8222-222222222222",
    snapshotId: "33333333-3333-4333-8333-333333333333"
  }

  it("name the artifact relative to the storage base, as the Hub expects", () => {
    expect(artifactLocator(ref)).toBe(
      `tenants/${ref.tenantId}/sources/${ref.sourceId}/snapshots/${ref.snapshotId}/backup.tar.zst.enc`
    )
    expect(resolveLocator("/var/lib/xvault/backups", artifactLocator(ref))).toBe(
      `/var/lib/xvault/backups/${artifactLocator(ref)}`
    )
  })

  it("never resolve outside the storage base", () => {
    for (const locator of ["/etc/passwd", "../outside", "tenants/../../outside", "", ".", "tenants/x/../../.."]) {
      expect(resolveLocator("/var/lib/xvault/backups", locator)).toBeUndefined()
    }
    expect(resolveLocator("/var/lib/xvault/backups", "tenants/x/../y")).toBe("/var/lib/xvault/backups/tenants/y")
    expect(resolveLocator("/var/lib/xvault/backups/", "a")).toBe("/var/lib/xvault/backups/a")
  })
})
