// Strict RFC 3339 timestamps for the lifecycle engine. Date.parse accepts far more ("2025-01-31",
// "Jan 31 2025", local times without an offset), and a timestamp read the wrong way moves an
// erasure date: anything that is not a full RFC 3339 date-time with an offset is refused.

/** Milliseconds in one 24-hour UTC day: days are added to timestamps as this many milliseconds. */
export const DAY_MS = 24 * 60 * 60 * 1000;

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/;

function daysInMonth(year: number, month: number): number {
  const lengths = [31, isLeap(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  return lengths[month - 1] ?? 0;
}

function isLeap(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** Offset east of UTC in minutes, or null when out of range. */
function offsetMinutes(zone: string): number | null {
  if (zone === 'Z' || zone === 'z') return 0;
  const hours = Number(zone.slice(1, 3));
  const minutes = Number(zone.slice(4, 6));
  if (hours > 23 || minutes > 59) return null;
  return (zone.startsWith('-') ? -1 : 1) * (hours * 60 + minutes);
}

/**
 * Parses an RFC 3339 date-time (`2025-01-31T00:00:00Z`, `2025-01-31T01:00:00.5+01:00`) into its
 * instant, or returns null. Fractions finer than a millisecond are rounded up, so a deadline
 * computed from the result is never earlier than the one written. Leap seconds (:60) are refused,
 * as Kubernetes refuses them.
 */
export function parseRfc3339(text: string): Date | null {
  const m = RFC3339.exec(text);
  if (m === null) return null;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  if (hour > 23 || minute > 59 || second > 59) return null;
  const offset = offsetMinutes(m[8] ?? 'Z');
  if (offset === null) return null;
  const fraction = m[7] === undefined ? 0 : Math.ceil(Number(`0${m[7]}`) * 1000 - 1e-9);
  const utc = new Date(0);
  utc.setUTCFullYear(year, month - 1, day);
  utc.setUTCHours(hour, minute, second, fraction);
  return new Date(utc.getTime() - offset * 60_000);
}

/** A timestamp as the API returns it: a string on the wire, a Date where @kubernetes/client-node or a YAML loader converted it. */
export type TimestampInput = string | Date;

/** Parses a wire timestamp (string or Date); null when it is not a valid instant. */
export function toInstant(value: TimestampInput): Date | null {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : new Date(value.getTime());
  return typeof value === 'string' ? parseRfc3339(value) : null;
}

/** Formats an instant as RFC 3339 in UTC, with milliseconds only when there are any. */
export function formatRfc3339(date: Date): string {
  return date.toISOString().replace('.000Z', 'Z');
}

/** `date` plus `days` 24-hour days. */
export function addDays(date: Date, days: number): Date {
  return new Date(date.getTime() + days * DAY_MS);
}
