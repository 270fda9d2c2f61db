import { describe, expect, it } from "vitest"
import { median, table, verdict } from "../../../bench/report.js"

describe("bench report", () => {
  it("takes the middle value, or the mean of the two middle ones, without reordering its input", () => {
    const rounds = [9.3, 3.1, 5.0]
    expect(median(rounds)).toBe(5.0)
    expect(rounds).toEqual([9.3, 3.1, 5.0])
    expect(median([4, 1, 3, 2])).toBe(2.5)
    expect(median([7])).toBe(7)
    expect(() => median([])).toThrow("no values")
  })

  it("says whether a figure meets its target, either way round", () => {
    expect(verdict("ratio", 2.378, { op: "<=", value: 1 })).toBe("ratio 2.38  target <= 1.0  NOT met")
    expect(verdict("ratio", 1, { op: "<=", value: 1 })).toBe("ratio 1.00  target <= 1.0  met")
    expect(verdict("peak RSS", 212.4, { op: "<=", value: 256, unit: " MiB" }, 0)).toBe("peak RSS 212 MiB  target <= 256 MiB  met")
    expect(verdict("rate", 4100, { op: ">=", value: 4000, unit: " files/s" }, 0)).toBe("rate 4100 files/s  target >= 4000 files/s  met")
    expect(verdict("rate", 3999, { op: ">=", value: 4000, unit: " files/s" }, 0)).toBe("rate 3999 files/s  target >= 4000 files/s  NOT met")
  })

  it("aligns a table's columns", () => {
    expect(table(["case", "s"], [["verify", "1.19"], ["restore sftp", "14.05"]]).split("\n")).toEqual([
      "case              s",
      "verify         1.19",
      "restore sftp  14.05"
    ])
  })
})
