import { createHash } from "node:crypto"

/** OpenSSH's fingerprint of a raw host key blob: "SHA256:" and unpadded base64, as `ssh-keygen -l` prints it. */
export const hostKeyFingerprint = (keyBlob: Uint8Array): string =>
  `SHA256:${createHash("sha256").update(keyBlob).digest("base64").replace(/=+$/, "")}`

/** Pinned fingerprints are compared as OpenSSH prints them; a pasted one may carry base64 padding. */
export const sameFingerprint = (pinned: string, presented: string): boolean => normalizeFingerprint(pinned) === presented

export const normalizeFingerprint = (fingerprint: string): string => fingerprint.trim().replace(/=+$/, "")
