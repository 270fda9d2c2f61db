import * as HttpApi from "@effect/platform/HttpApi"
import * as OpenApi from "@effect/platform/OpenApi"
import { BadRequestWire, ForbiddenWire, InternalErrorWire, PayloadTooLargeWire } from "./ApiError.js"
import { AuditGroup } from "./Audit.js"
import { HealthGroup } from "./Health.js"
import { JobsGroup } from "./Jobs.js"
import { RestoresGroup } from "./Restores.js"
import { SchedulesGroup } from "./Schedules.js"
import { SnapshotsGroup } from "./Snapshots.js"
import { SourcesGroup } from "./Sources.js"
import { TenantsGroup } from "./Tenants.js"
import { WebhooksGroup } from "./Webhooks.js"
import { WorkersGroup } from "./Workers.js"

/** The one definition of the Hub API: the Hub serves it, the worker and the CLI call it. */
export class XvaultApi extends HttpApi.make("xvault")
  .add(HealthGroup)
  .add(TenantsGroup)
  .add(SourcesGroup)
  .add(AuditGroup)
  .add(JobsGroup)
  .add(SnapshotsGroup)
  .add(RestoresGroup)
  .add(SchedulesGroup)
  .add(WebhooksGroup)
  .add(WorkersGroup)
  .addError(BadRequestWire)
  .addError(ForbiddenWire)
  .addError(PayloadTooLargeWire)
  .addError(InternalErrorWire)
  .annotate(OpenApi.Title, "xVault Hub API")
{}
