import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { afterEach, describe, expect, it } from "vitest"
import { buildDataset } from "../../../bench/dataset.js"

const dirs: Array<string> = []
const build = (size: Parameters<typeof buildDataset>[1]) => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "xvault-dataset-"))
  dirs.push(root)
  return { root, total: buildDataset(root, size) }
}
const files = (root: string) => (fs.readdirSync(root, { recursive: true }) as Array<string>).filter((f) => fs.statSync(path.join(root, f)).isFile()).sort()
afterEach(() => dirs.splice(0).forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })))

describe("the bench data set", () => {
  const size = { randomMiB: 1, textMiB: 65, smallFiles: 200, smallBytes: { min: 100, max: 1536 } }

  it("writes the sizes asked for, text as words and small files within their range", () => {
    const { root, total } = build(size)
    expect(fs.statSync(path.join(root, "random/part-0.bin")).size).toBe(1024 * 1024)
    expect(["text/part-0.log", "text/part-1.log"].map((f) => fs.statSync(path.join(root, f)).size)).toEqual([64 * 1024 * 1024, 1024 * 1024])
    expect(fs.readFileSync(path.join(root, "text/part-1.log"), "latin1").slice(0, 200)).toMatch(/^[a-z \n]+$/)
    const small = files(root).filter((f) => f.startsWith("small/")).map((f) => fs.statSync(path.join(root, f)).size)
    expect(small).toHaveLength(200)
    expect(Math.min(...small)).toBeGreaterThanOrEqual(100)
    expect(Math.max(...small)).toBeLessThan(1536)
    expect(total).toBe(66 * 1024 * 1024 + small.reduce((a, b) => a + b, 0))
  })

  it("writes the same bytes every time", () => {
    const [a, b] = [build(size).root, build(size).root]
    expect(files(a)).toEqual(files(b))
    for (const f of files(a)) expect(fs.readFileSync(path.join(a, f)).equals(fs.readFileSync(path.join(b, f))), f).toBe(true)
  })
})
