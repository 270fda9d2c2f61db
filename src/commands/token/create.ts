import { Flags } from "@oclif/core"
import { Effect, Either, Schema } from "effect"
import { mint } from "../../shared/auth/Jwt.js"
import { JwtSecret } from "../../shared/config/Secrets.js"
import { TenantId, WorkerId } from "../../shared/contract/Ids.js"
import { InputInvalid } from "../../cli/InputInvalid.js"
import { parseTtl } from "../../cli/parseTtl.js"
import { runEffect } from "../../cli/runEffect.js"
import { withExitStatus, XvaultCommand } from "../../cli/XvaultCommand.js"

const decodeId = <A>(schema: Schema.Schema<A, string>, flag: string, value: string | undefined) =>
  value === undefined
    ? Effect.fail(new InputInvalid({ message: `--${flag} is required for this role` }))
    : Schema.decodeEither(schema)(value).pipe(
      Either.mapLeft(() => new InputInvalid({ message: `--${flag} '${value}' is not valid` }))
    )

export default class TokenCreate extends XvaultCommand {
  static override summary = "Mint an API token (JWT) locally with HUB_JWT_SECRET; prints only the token."
  static override description = withExitStatus(
    "admin: everything. tenant: only that tenant's resources (--tenant-id). worker: only the " +
      "worker endpoints (--worker-id). Needs HUB_JWT_SECRET, not a running Hub."
  )
  static override examples = [
    "export XVAULT_TOKEN=$(<%= config.bin %> <%= command.id %> --role admin --ttl 1h)",
    "<%= config.bin %> <%= command.id %> --role tenant --tenant-id 6f1c…",
    "<%= config.bin %> <%= command.id %> --role worker --worker-id worker-1 --ttl 365d"
  ]
  static override flags = {
    role: Flags.string({ required: true, options: ["admin", "tenant", "worker"], summary: "What the token may do." }),
    "tenant-id": Flags.string({ summary: "The tenant a tenant token is confined to." }),
    "worker-id": Flags.string({ summary: "The worker a worker token speaks for." }),
    ttl: Flags.string({ default: "24h", summary: "Lifetime: s, m, h, d, w, combinable (1d12h)." })
  }

  async run(): Promise<void> {
    const { flags } = await this.parse(TokenCreate)
    const program = Effect.gen(function*() {
      const ttlSeconds = yield* Either.mapLeft(parseTtl(flags.ttl), (message) => new InputInvalid({ message }))
      const secret = yield* JwtSecret
      switch (flags.role) {
        case "tenant":
          return mint(secret, { role: "tenant", tenantId: yield* decodeId(TenantId, "tenant-id", flags["tenant-id"]), ttlSeconds })
        case "worker":
          return mint(secret, { role: "worker", workerId: yield* decodeId(WorkerId, "worker-id", flags["worker-id"]), ttlSeconds })
        default:
          return mint(secret, { role: "admin", ttlSeconds })
      }
    })
    this.log(await runEffect(this, program))
  }
}
