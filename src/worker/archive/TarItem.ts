// TarItem lives in ../artifact/ now. source/ (renamed to sftp/ in the Source-seam branch) still
// imports it from here; this re-export goes when that branch is merged.
export type { TarEntryMeta, TarItem } from "../artifact/TarItem.js"
