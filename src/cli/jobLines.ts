import { DateTime } from "effect"
import type { Job } from "../shared/contract/Jobs.js"
import { countersText, resultText, resultWarnings } from "./jobText.js"

const timeOrDash = (d: DateTime.Utc | null) => (d === null ? "-" : DateTime.formatIso(d))

/** The lines `job show` and `restore show` share: how far the job got, what it left, and when. */
export const jobOutcomeLines = (job: Job): ReadonlyArray<string> => {
  const r = job.result
  return [
    `  progress   ${job.progress === null ? "-" : `${countersText(job.progress)}, ${job.progress.dirs} dirs`}`,
    `  result     ${r === null ? "-" : resultText(r)}`,
    ...(r === null ? [] : resultWarnings(r)).map((w) => `  warning    ${w.path}: ${w.message}`),
    `  error      ${job.error ?? "-"}`,
    `  created    ${DateTime.formatIso(job.createdAt)}`,
    `  started    ${timeOrDash(job.startedAt)}`,
    `  finished   ${timeOrDash(job.finishedAt)}`
  ]
}
