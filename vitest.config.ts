import { defineConfig } from "vitest/config"

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Real PostgreSQL, Redis and sshd: give slow machines room, but never hang CI.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
    // Tests that build the CLI share dist/; build once before the suite.
    globalSetup: ["test/support/globalSetup.ts"]
  }
})
