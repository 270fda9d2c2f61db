import { lookup } from "node:dns/promises"
import { BlockList, isIP } from "node:net"
import { Effect } from "effect"
import { BadRequest } from "../../shared/contract/ApiError.js"

/**
 * Addresses a webhook may not point at: loopback, private, link-local, unspecified and
 * carrier-grade NAT ranges. Otherwise any tenant could make the Hub POST into the network it
 * runs in (its database, cloud metadata at 169.254.169.254).
 */
const blocked = new BlockList()
for (const [net, prefix] of [["0.0.0.0", 8], ["10.0.0.0", 8], ["100.64.0.0", 10], ["127.0.0.0", 8], ["169.254.0.0", 16],
  ["172.16.0.0", 12], ["192.168.0.0", 16]] as const) {
  blocked.addSubnet(net, prefix, "ipv4")
}
for (const [net, prefix] of [["::", 128], ["::1", 128], ["fc00::", 7], ["fe80::", 10]] as const) {
  blocked.addSubnet(net, prefix, "ipv6")
}

/** True for an address in a refused range; IPv4-mapped IPv6 (::ffff:10.0.0.1) counts as its IPv4. */
export const isPrivateAddress = (address: string): boolean => {
  const family = isIP(address)
  if (family === 0) return true
  return blocked.check(address, family === 4 ? "ipv4" : "ipv6")
}

/** A host as URL gives it, with IPv6 brackets removed. */
const hostOf = (url: URL) => url.hostname.replace(/^\[(.*)\]$/, "$1")

/** Every address the host resolves to (one for an IP literal). */
const resolve = (host: string) =>
  Effect.tryPromise({
    try: () => lookup(host, { all: true, verbatim: true }),
    catch: (e) => new BadRequest({ message: `url: cannot resolve host '${host}': ${(e as NodeJS.ErrnoException).code ?? String(e)}` })
  }).pipe(Effect.map((found) => found.map((a) => a.address)))

/**
 * Checks a webhook URL: http or https, no credentials in it, and (unless `allowPrivate`)
 * every address its host resolves to is public. Called on create, and again before every
 * delivery, since a name may resolve elsewhere later.
 */
export const checkWebhookUrl = (text: string, allowPrivate: boolean) =>
  Effect.gen(function*() {
    if (!URL.canParse(text)) return yield* new BadRequest({ message: `url: '${text}' is not an absolute URL` })
    const url = new URL(text)
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      return yield* new BadRequest({ message: `url: only http and https are allowed, not ${url.protocol.replace(/:$/, "")}` })
    }
    if (url.username !== "" || url.password !== "") {
      return yield* new BadRequest({ message: "url: must not contain a user name or password" })
    }
    if (allowPrivate) return url
    const host = hostOf(url)
    const addresses = yield* resolve(host)
    const refused = addresses.filter(isPrivateAddress)
    if (refused.length > 0 || addresses.length === 0) {
      return yield* new BadRequest({
        message: `url: host '${host}' resolves to ${refused.join(", ") || "nothing"}, a private, loopback or link-local address; ` +
          "webhooks must point at public addresses (HUB_WEBHOOK_ALLOW_PRIVATE=true lifts this)"
      })
    }
    return url
  })
