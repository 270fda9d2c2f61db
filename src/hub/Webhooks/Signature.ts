import { createHmac, randomBytes } from "node:crypto"

/** A new signing secret: 32 random bytes, printable so shells and HMAC libraries take it as it is. */
export const newWebhookSecret = () => `whsec_${randomBytes(32).toString("base64url")}`

/**
 * The `X-Xvault-Signature` value: `sha256=` and the hex HMAC-SHA256, keyed with the secret's
 * UTF-8 bytes, of `<X-Xvault-Timestamp>.<raw body>`. Signing the timestamp with the body lets
 * a receiver refuse old requests replayed with a fresh timestamp.
 */
export const signatureOf = (secret: string, timestamp: string, body: string) =>
  `sha256=${createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex")}`
