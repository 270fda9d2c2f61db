import { createHmac, timingSafeEqual } from "node:crypto"
import { createServer, type IncomingHttpHeaders } from "node:http"
import { Effect } from "effect"

export interface ReceivedHook {
  readonly path: string
  readonly headers: IncomingHttpHeaders
  readonly body: string
  readonly status: number
}

/**
 * A real HTTP receiver on 127.0.0.1 (node:http), as a tenant would run one: it records every
 * request and answers what `answer` says (200 by default). Closed with the scope.
 */
export const startWebhookReceiver = Effect.acquireRelease(
  Effect.promise(() =>
    new Promise<{ readonly url: (path: string) => string; readonly received: Array<ReceivedHook>; readonly answer: Map<string, Array<number>>; readonly close: () => Promise<void> }>((resolve) => {
      const received: Array<ReceivedHook> = []
      /** Per path, the statuses to answer in turn; 200 once they run out. */
      const answer = new Map<string, Array<number>>()
      const server = createServer((req, res) => {
        let body = ""
        req.setEncoding("utf8").on("data", (chunk: string) => (body += chunk)).on("end", () => {
          const path = req.url ?? "/"
          const status = answer.get(path)?.shift() ?? 200
          received.push({ path, headers: req.headers, body, status })
          res.writeHead(status, { "content-type": "text/plain" }).end(status < 300 ? "ok" : "nope")
        })
      })
      server.listen(0, "127.0.0.1", () => {
        const address = server.address()
        const port = typeof address === "object" && address !== null ? address.port : 0
        resolve({
          url: (path) => `http://127.0.0.1:${port}${path}`,
          received,
          answer,
          close: () => new Promise<void>((done) => server.close(() => done()))
        })
      })
    })
  ),
  (receiver) => Effect.promise(() => receiver.close())
)

/** What a receiver should do with X-Xvault-Signature: recompute HMAC-SHA256(secret, timestamp + "." + body). */
export const signatureChecksOut = (hook: ReceivedHook, secret: string) => {
  const timestamp = String(hook.headers["x-xvault-timestamp"])
  const given = Buffer.from(String(hook.headers["x-xvault-signature"]))
  const expected = Buffer.from(`sha256=${createHmac("sha256", secret).update(`${timestamp}.${hook.body}`).digest("hex")}`)
  return given.length === expected.length && timingSafeEqual(given, expected)
}
