import { createRequire } from "node:module"

/** From package.json, which ships beside src/ and dist/ alike. */
export const XVAULT_VERSION: string = (createRequire(import.meta.url)("../../package.json") as { version: string })
  .version
