/** Where the test suite finds the real services; CI and developers may point these elsewhere. */
export const adminDatabaseUrl = process.env["DATABASE_URL"] ?? "postgres://postgres@127.0.0.1:5432/postgres"
export const redisUrl = process.env["REDIS_URL"] ?? "redis://127.0.0.1:6379"

export const databaseUrlFor = (name: string) => {
  const url = new URL(adminDatabaseUrl)
  url.pathname = `/${name}`
  return url.toString()
}

/** Fixed test secrets: the JWT key and KEK of every Hub the tests start. */
export const testJwtSecret = "test-jwt-secret-0123456789abcdef0123456789"
export const testKekBase64 = Buffer.alloc(32, 7).toString("base64")

export const templateDatabaseName = () => process.env["XVAULT_TEST_TEMPLATE_DB"]
