const units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"] as const

/** Binary units for people: "512 B", "45.0 MiB", "1.2 GiB". Scripts read the byte counts from --json. */
export const formatBytes = (bytes: number): string => {
  if (!Number.isFinite(bytes) || bytes < 1024) return `${Math.max(0, Math.round(bytes) || 0)} B`
  let value = bytes
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  // 1023.96 KiB would print as "1024.0 KiB": carry into the next unit instead
  if (value.toFixed(1) === "1024.0" && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  return `${value.toFixed(1)} ${units[unit]}`
}

export const formatRate = (bytesPerSecond: number): string => `${formatBytes(bytesPerSecond)}/s`
