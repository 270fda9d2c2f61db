// The tar reader lives in ../artifact/ now. restore/sftp/ (being reworked in the Source-seam
// branch) still imports these types from here; this re-export goes when that branch is merged.
export type { ReadEntry, TarPart } from "../artifact/TarParser.js"
