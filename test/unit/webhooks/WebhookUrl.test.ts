import { createHmac } from "node:crypto"
import { Effect, Either } from "effect"
import { describe, expect, it } from "vitest"
import { newWebhookSecret, signatureOf } from "../../../src/hub/Webhooks/Signature.js"
import { checkWebhookUrl, isPrivateAddress } from "../../../src/hub/Webhooks/WebhookUrl.js"

const check = (url: string, allowPrivate = false) =>
  Effect.runPromise(Effect.either(checkWebhookUrl(url, allowPrivate))).then((r) =>
    Either.isLeft(r) ? { refused: r.left.message } : { href: r.right.href })

describe("isPrivateAddress", () => {
  it.each([
    "127.0.0.1", "127.255.255.254", "10.0.0.1", "10.255.255.255", "172.16.0.1", "172.31.255.255", "192.168.1.1",
    "169.254.169.254", "0.0.0.0", "100.64.0.1", "::1", "::", "fc00::1", "fdff:ffff::1", "fe80::1", "febf::1",
    "::ffff:127.0.0.1", "::ffff:10.1.2.3", "::ffff:a9fe:a9fe"
  ])("refuses %s", (address) => expect(isPrivateAddress(address)).toBe(true))

  it.each(["93.184.215.14", "8.8.8.8", "172.15.255.255", "172.32.0.1", "192.169.0.1", "169.253.0.1", "11.0.0.1",
    "2606:4700:4700::1111", "2001:db8::1", "fbff::1", "fec0::1", "::ffff:8.8.8.8"])("allows %s", (address) =>
    expect(isPrivateAddress(address)).toBe(false))

  it("treats what is not an IP address as refused", () => expect(isPrivateAddress("example.com")).toBe(true))
})

describe("checkWebhookUrl", () => {
  it("accepts a public http or https address", async () => {
    expect(await check("https://93.184.215.14/hooks/xvault?x=1")).toEqual({ href: "https://93.184.215.14/hooks/xvault?x=1" })
    expect(await check("http://[2606:4700:4700::1111]:8080/h")).toEqual({ href: "http://[2606:4700:4700::1111]:8080/h" })
  })

  it("refuses other schemes, credentials and non-URLs, naming the problem", async () => {
    expect((await check("ftp://93.184.215.14/x")).refused).toBe("url: only http and https are allowed, not ftp")
    expect((await check("file:///etc/passwd")).refused).toBe("url: only http and https are allowed, not file")
    expect((await check("https://user:pw@93.184.215.14/")).refused).toBe("url: must not contain a user name or password")
    expect((await check("not a url")).refused).toBe("url: 'not a url' is not an absolute URL")
  })

  it("refuses loopback, private and link-local hosts, literal or resolved, unless private addresses are allowed", async () => {
    for (const url of ["http://127.0.0.1:9000/", "http://10.1.2.3/", "http://172.20.0.5/", "http://192.168.0.10/",
      "http://169.254.169.254/latest/meta-data", "http://[::1]:8080/", "http://[fd00::5]/", "http://[fe80::1]/",
      "http://[::ffff:127.0.0.1]/", "http://localhost:8080/"]) {
      const result = await check(url)
      expect(result.refused, url).toMatch(/^url: host '.*' resolves to .*a private, loopback or link-local address/)
      expect(result.refused, url).toContain("HUB_WEBHOOK_ALLOW_PRIVATE=true")
      expect(await check(url, true), url).toEqual({ href: new URL(url).href })
    }
  })

  it("refuses a host that does not resolve, saying so", async () => {
    expect((await check("https://no-such-host.invalid/")).refused).toMatch(/^url: cannot resolve host 'no-such-host\.invalid': /)
  })
})

describe("signatureOf", () => {
  it("is sha256= and the hex HMAC-SHA256 of '<timestamp>.<body>' keyed with the secret", () => {
    const secret = newWebhookSecret()
    expect(secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/)
    const body = JSON.stringify({ id: "e1", type: "backup.failed" })
    const expected = createHmac("sha256", secret).update(`1700000000.${body}`).digest("hex")
    expect(signatureOf(secret, "1700000000", body)).toBe(`sha256=${expected}`)
    expect(signatureOf(secret, "1700000001", body)).not.toBe(`sha256=${expected}`)
    expect(newWebhookSecret()).not.toBe(secret)
  })
})
