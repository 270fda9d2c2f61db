import { createCipheriv } from "node:crypto"
import * as fs from "node:fs"
import * as path from "node:path"

const MiB = 1024 * 1024
/** Large files are written in parts of this size: the generator holds at most two at a time. */
const PART_MiB = 64

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
).split(" ").map((word) => Buffer.from(word))

/** `bytes` of words picked by seeded noise, separated by a space or (one in 13) a newline. */
const textLike = (next: (n: number) => Buffer, bytes: number) => {
  const noise = next(bytes)
  const out = Buffer.allocUnsafe(bytes)
  let size = 0
  for (let i = 0; size < bytes; i++) {
    // byte by byte: words are a few bytes long, and Buffer#copy per word is several times slower
    const word = WORDS[noise[i % noise.length]! % WORDS.length]!
    for (let j = 0; j < word.length && size < bytes; j++) out[size++] = word[j]!
    if (size < bytes) out[size++] = noise[(i * 7) % noise.length]! % 13 === 0 ? 0x0a : 0x20
  }
  return out
}

export interface DatasetSize {
  readonly randomMiB: number
  readonly textMiB: number
  readonly smallFiles: number
  /** Small file sizes, from `min` up to (not including) `max` bytes. */
  readonly smallBytes: { readonly min: number; readonly max: number }
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
  const parts = (mib: number) => Array.from({ length: Math.ceil(mib / PART_MiB) }, (_, i) => Math.min(PART_MiB, mib - i * PART_MiB) * MiB)
  parts(size.randomMiB).forEach((bytes, i) => write(`random/part-${i}.bin`, next(bytes)))
  parts(size.textMiB).forEach((bytes, i) => write(`text/part-${i}.log`, textLike(next, bytes)))
  const { min, max } = size.smallBytes
  for (let i = 0; i < size.smallFiles; i++) {
    const bytes = min + (next(2).readUInt16LE(0) % (max - min))
    write(`small/d${String(i % 50).padStart(2, "0")}/f${String(i).padStart(5, "0")}.txt`, textLike(next, bytes))
  }
  return total
}
