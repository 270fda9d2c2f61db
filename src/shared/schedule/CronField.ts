import { Either } from "effect"

export type CronFieldName = "minute" | "hour" | "day-of-month" | "month" | "day-of-week"

interface FieldSpec {
  readonly name: CronFieldName
  readonly min: number
  readonly max: number
  /** Three-letter names, case-insensitive; index 0 stands for `min`. */
  readonly names?: ReadonlyArray<string>
}

export const fieldSpecs: ReadonlyArray<FieldSpec> = [
  { name: "minute", min: 0, max: 59 },
  { name: "hour", min: 0, max: 23 },
  { name: "day-of-month", min: 1, max: 31 },
  { name: "month", min: 1, max: 12, names: ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"] },
  // 0 and 7 are both Sunday
  { name: "day-of-week", min: 0, max: 7, names: ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"] }
]

export interface CronField {
  /** Sorted, without duplicates; day-of-week folds 7 into 0. */
  readonly values: ReadonlyArray<number>
  // starts with `*` (`*` or `*/n`): Vixie cron's test for the day-of-month/day-of-week OR rule
  readonly star: boolean
}

const valueOf = (text: string, spec: FieldSpec): Either.Either<number, string> => {
  if (/^\d+$/.test(text)) {
    const value = Number(text)
    return value >= spec.min && value <= spec.max
      ? Either.right(value)
      : Either.left(`${text} is out of range ${spec.min}-${spec.max}`)
  }
  const index = spec.names?.indexOf(text.toUpperCase()) ?? -1
  if (index >= 0) return Either.right(spec.min + index)
  return Either.left(`'${text}' is not a number${spec.names ? ` or a name like ${spec.names[0]}` : ""}`)
}

// one element of a list: `*`, `5`, `1-5`, `MON-FRI`, `*/15`, `0-30/10`, `5/15` (= 5-max/15)
const rangeOf = (item: string, spec: FieldSpec): Either.Either<ReadonlyArray<number>, string> =>
  Either.gen(function*() {
    const [range = "", stepText, extra] = item.split("/")
    if (extra !== undefined) return yield* Either.left(`'${item}' has more than one '/'`)
    let step = 1
    if (stepText !== undefined) {
      if (!/^\d+$/.test(stepText) || Number(stepText) < 1) return yield* Either.left(`step '${stepText}' must be a whole number of 1 or more`)
      step = Number(stepText)
    }
    let low = spec.min
    let high = spec.max
    if (range !== "*") {
      const [lowText = "", highText, more] = range.split("-")
      if (more !== undefined || lowText === "" || highText === "") return yield* Either.left(`'${range}' is not a value or a range like 1-5`)
      low = yield* valueOf(lowText, spec)
      high = highText === undefined ? (stepText === undefined ? low : spec.max) : yield* valueOf(highText, spec)
      if (high < low) return yield* Either.left(`range ${range} runs backwards`)
    }
    const values: Array<number> = []
    for (let v = low; v <= high; v += step) values.push(v)
    return values
  })

export const parseField = (text: string, spec: FieldSpec): Either.Either<CronField, string> =>
  Either.gen(function*() {
    const values = new Set<number>()
    for (const item of text.split(",")) {
      if (item === "") return yield* Either.left("has an empty list element")
      for (const v of yield* rangeOf(item, spec)) values.add(spec.name === "day-of-week" && v === 7 ? 0 : v)
    }
    return { values: [...values].sort((a, b) => a - b), star: text.startsWith("*") }
  })
