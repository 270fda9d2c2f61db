import { createCipheriv } from "node:crypto"
import * as fs from "node:fs"
import * as path from "node:path"

const MiB = 1024 * 1024

/** Deterministic bytes: AES-256-CTR over zeros with a fixed key is a fast seeded generator. */
const seeded = (seed: string) => {
  const key = Buffer.alloc(32)
  key.write(seed)
  const cipher = createCipheriv("aes-256-ctr", key, Buffer.alloc(16))
  return (n: number) => cipher.update(Buffer.alloc(n))
}

const WORDS = (
  "backup restore snapshot tenant worker hub archive frame stream cipher chunk lease retry " +
  "the of and to in is that for it as was with be by on not he this are or his from at which"
).split(" ")

const textLike = (next: (n: number) => Buffer, bytes: number) => {
  const noise = next(bytes)
  const parts: Array<string> = []
  let size = 0
  for (let i = 0; size < bytes; i++) {
    const word = WORDS[noise[i % noise.length]! % WORDS.length]!
    const sep = noise[(i * 7) % noise.length]! % 13 === 0 ? "\n" : " "
    parts.push(word, sep)
    size += word.length + 1
  }
  return Buffer.from(parts.join("")).subarray(0, bytes)
}

export interface DatasetSize {
  readonly randomMiB: number
  readonly textMiB: number
  readonly smallFiles: number
}

/** Writes the benchmark's data set under `root` (same bytes every run); returns its total size. */
export const buildDataset = (root: string, size: DatasetSize): number => {
  const next = seeded("xvault-bench")
  let total = 0
  const write = (rel: string, data: Buffer) => {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true })
    fs.writeFileSync(path.join(root, rel), data)
    total += data.length
  }
  for (let i = 0; i < Math.ceil(size.randomMiB / 64); i++) {
    write(`random/part-${i}.bin`, next(Math.min(64, size.randomMiB - i * 64) * MiB))
  }
  for (let i = 0; i < Math.ceil(size.textMiB / 64); i++) {
    write(`text/part-${i}.log`, textLike(next, Math.min(64, size.textMiB - i * 64) * MiB))
  }
  for (let i = 0; i < size.smallFiles; i++) {
    const bytes = 200 + (next(2).readUInt16LE(0) % 8000)
    write(`small/d${String(i % 50).padStart(2, "0")}/f${String(i).padStart(5, "0")}.txt`, textLike(next, bytes))
  }
  return total
}
