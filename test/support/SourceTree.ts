import { createHash, randomBytes } from "node:crypto"
import * as fs from "node:fs"
import * as path from "node:path"

/** A file tree with everything a backup must keep: what the E2E tests back up and compare. */
export const buildSourceTree = (root: string) => {
  const long = `${"a-very-long-directory-name-".repeat(3)}x`
  const files: Record<string, Buffer | string> = {
    "docs/readme.txt": "hello xvault\n",
    "docs/name with spaces.txt": "spaces\n",
    "données/日本語 ✓.txt": "unicode\n",
    [`${long}/${"file-with-a-name-longer-than-one-hundred-bytes-".repeat(3)}.bin`]: randomBytes(10_000),
    "empty-file": "",
    "bin/run.sh": "#!/bin/sh\necho hi\n",
    "big/random.bin": randomBytes(3 * 1024 * 1024 + 17),
    "big/text.log": "line of compressible text 0123456789\n".repeat(40_000)
  }
  for (const [rel, content] of Object.entries(files)) {
    fs.mkdirSync(path.join(root, path.dirname(rel)), { recursive: true })
    fs.writeFileSync(path.join(root, rel), content)
  }
  for (let i = 0; i < 300; i++) {
    fs.mkdirSync(path.join(root, "many"), { recursive: true })
    fs.writeFileSync(path.join(root, "many", `f${String(i).padStart(4, "0")}.txt`), `small file ${i}\n`)
  }
  fs.chmodSync(path.join(root, "bin/run.sh"), 0o755)
  fs.chmodSync(path.join(root, "docs/readme.txt"), 0o600)
  fs.mkdirSync(path.join(root, "empty-dir"))
  fs.mkdirSync(path.join(root, "sticky"), { mode: 0o1777 })
  fs.chmodSync(path.join(root, "sticky"), 0o1777)
  fs.symlinkSync("docs/readme.txt", path.join(root, "link-to-readme"))
  fs.symlinkSync("/nonexistent/target", path.join(root, "dangling-link"))
  // set mtimes last, deepest first, so creating children does not move a directory's mtime
  const all = walk(root).sort((a, b) => b.split("/").length - a.split("/").length)
  let t = 1_600_000_000
  for (const rel of all) {
    const full = path.join(root, rel)
    if (!fs.lstatSync(full).isSymbolicLink()) fs.utimesSync(full, t, t)
    t += 3607
  }
  fs.utimesSync(root, t, t)
}

const walk = (root: string, rel = ""): Array<string> =>
  fs.readdirSync(path.join(root, rel), { withFileTypes: true }).flatMap((d) => {
    const child = rel === "" ? d.name : `${rel}/${d.name}`
    return d.isDirectory() ? [child, ...walk(root, child)] : [child]
  })

/** What a user would compare after a restore: type, content hash, permission bits, mtime, link target. */
export const describeTree = (root: string) =>
  Object.fromEntries(
    ["", ...walk(root)].sort().map((rel) => {
      const full = path.join(root, rel)
      const st = fs.lstatSync(full)
      if (st.isSymbolicLink()) return [rel, { type: "symlink", target: fs.readlinkSync(full) }]
      const base = { mode: (st.mode & 0o7777).toString(8), mtime: Math.floor(st.mtimeMs / 1000) }
      if (st.isDirectory()) return [rel, { type: "dir", ...base }]
      const sha = createHash("sha256").update(fs.readFileSync(full)).digest("hex")
      return [rel, { type: "file", size: st.size, sha, ...base }]
    })
  )
