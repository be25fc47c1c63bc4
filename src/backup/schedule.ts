// Reading a BackupPolicy's cron schedule the way the Kubernetes CronJob controller (robfig/cron)
// does, so the operator's idea of "when should the last backup have run" matches what ran.
//
// - The `cron` package checks each field, and its message, with the field named, goes into
//   status. Where it differs from robfig/cron, robfig/cron wins: 7 for Sunday is refused (the
//   CronJob would be), "?" is read as *, and names are only taken in the month and day-of-week
//   fields.
// - Fire times are found here, on the parsed fields: the `cron` package steps luxon DateTimes and
//   takes milliseconds a search, too slow for a check that runs on every reconcile of every
//   tenant; and it decides "day-of-month OR day-of-week" by how many values a field lists, while
//   robfig/cron decides by whether the field starts with *. The unit tests hold the two together.
// - Wall-clock times are matched in UTC arithmetic, where each exists once; the zone is applied
//   afterwards. A wall-clock time that does not exist (the spring-forward gap) does not fire: the
//   CronJob controller starts no Job for it, and expecting one would raise a false alarm every
//   spring. A wall-clock time that happens twice (fall-back) fires at its first occurrence only:
//   the CronJob controller may start a second Job an hour later, and a backup from either counts.
import { CronTime } from 'cron';
import { Reason } from '../api/conditions.js';

/** Why a schedule or time zone is refused, naming the field so the message can go into status. */
export interface ScheduleError {
  ok: false;
  field: 'spec.schedule' | 'spec.timeZone';
  reason: typeof Reason.ScheduleInvalid | typeof Reason.UnknownTimeZone;
  message: string;
}

/** The result of {@link parseSchedule}. */
export type ScheduleCheck = { ok: true } | ScheduleError;

interface FieldSpec {
  name: string;
  min: number;
  max: number;
  /** What the field takes, for the error message. */
  takes: string;
  chars: RegExp;
  /** The characters of {@link chars}, for the error message. */
  charsText: string;
  /** Names the field accepts instead of numbers (robfig/cron accepts names in these two only). */
  names?: readonly string[];
  /** The first name stands for this number. */
  namesFrom?: number;
}

const FIELDS: readonly FieldSpec[] = [
  { name: 'minute', min: 0, max: 59, takes: '0-59', chars: /^[0-9*/,-]+$/, charsText: 'digits and * / , -' },
  { name: 'hour', min: 0, max: 23, takes: '0-23', chars: /^[0-9*/,-]+$/, charsText: 'digits and * / , -' },
  { name: 'day-of-month', min: 1, max: 31, takes: '1-31 or ?', chars: /^[0-9*/,?-]+$/, charsText: 'digits and * / , - ?' },
  {
    name: 'month',
    min: 1,
    max: 12,
    takes: '1-12 or jan-dec',
    chars: /^[0-9A-Za-z*/,-]+$/,
    charsText: 'digits, month names and * / , -',
    names: ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'],
    namesFrom: 1,
  },
  {
    name: 'day-of-week',
    min: 0,
    max: 6,
    takes: '0-6 (0 = Sunday) or sun-sat, or ?',
    chars: /^[0-9A-Za-z*/,?-]+$/,
    charsText: 'digits, day names and * / , - ?',
    names: ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'],
    namesFrom: 0,
  },
];

/** The values a field allows, and whether it starts with * (robfig/cron's rule for day matching). */
interface FieldSet {
  allows: readonly boolean[];
  star: boolean;
}

/** A parsed expression: one set per field, in the order of {@link FIELDS}. */
interface Compiled {
  minute: FieldSet;
  hour: FieldSet;
  dayOfMonth: FieldSet;
  month: FieldSet;
  dayOfWeek: FieldSet;
}

const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * MINUTE_MS;
/** The search horizon either way: a Feb-29 schedule skips 2100, so eight years and a bit. */
const HORIZON_MS = (8 * 366 + 2) * DAY_MS;
/** Fires {@link previousRun} steps through before it bisects. */
const FORWARD_STEPS = 4;
/** Wall-clock matches skipped in a row before giving up (a minutely schedule skips 60 in a gap). */
const MAX_SKIPPED = 1000;
/** A reference from which every schedule that can fire at all fires within the horizon. */
const NEVER_FIRES_PROBE = Date.UTC(2000, 0, 1);
/** The shape the CRD allows (Area/Location); offsets such as +01:00 are refused. */
const TIME_ZONE_SHAPE = /^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+){0,2}$/;
/** Bound of the parse caches: policies are few, but a stream of bad edits must not grow memory. */
const CACHE_LIMIT = 256;

/** Checks a 5-field cron expression and an IANA time zone as the CronJob controller would accept them. */
export function parseSchedule(expr: string, timeZone: string): ScheduleCheck {
  const compiled = compileCached(expr);
  // Copies, so a caller that edits its result cannot change the cached one.
  return { ...('ok' in compiled ? compiled : checkTimeZoneCached(timeZone)) };
}

/** Returns the first time the schedule fires strictly after `after`, or undefined when it never does. */
export function nextRun(expr: string, timeZone: string, after: Date): Date | undefined {
  const t = nextFire(compile(expr, timeZone), timeZone, instant(after, 'after'));
  return t === undefined ? undefined : new Date(t);
}

/** Returns the last time the schedule fired at or before `before` (looking back about eight years), or undefined. */
export function previousRun(expr: string, timeZone: string, before: Date): Date | undefined {
  const fields = compile(expr, timeZone);
  const end = instant(before, 'before');
  const next = (from: number) => nextFire(fields, timeZone, from);
  // Searching backwards through zone transitions is where mistakes hide, so this reuses the
  // forward search: widen a window back from `end` until it holds a fire, step forward a few fires
  // (enough for most schedules), then bisect between the latest fire found and the earliest time
  // known to have no fire up to `end`.
  let fire: number | undefined;
  for (let span = MINUTE_MS; fire === undefined; span = Math.min(span * 4, HORIZON_MS)) {
    const f = next(end - span);
    if (f !== undefined && f <= end) fire = f;
    else if (span === HORIZON_MS) return undefined;
  }
  for (let steps = 0; steps < FORWARD_STEPS; steps++) {
    const f = next(fire);
    if (f === undefined || f > end) return new Date(fire);
    fire = f;
  }
  // No fire lies in (quiet, end]; fires are at least a minute apart, so a narrower gap is done.
  let quiet = end;
  while (quiet - fire >= MINUTE_MS) {
    const mid = fire + Math.floor((quiet - fire) / 2);
    const f = next(mid);
    if (f !== undefined && f <= end) fire = f;
    else quiet = mid;
  }
  return new Date(fire);
}

/** Returns whether `timeZone` names a zone of the time zone database, spelled as the CronJob controller needs it. */
export function isKnownTimeZone(timeZone: string): boolean {
  return checkTimeZoneCached(timeZone).ok;
}

// Parsing and the zone lookup (an Intl constructor) cost far more than a search; their results
// depend on the text alone, so they are kept.
const compiledCache = new Map<string, Compiled | ScheduleError>();
const zoneCache = new Map<string, ScheduleCheck>();

function compileCached(expr: string): Compiled | ScheduleError {
  return cached(compiledCache, expr, compileExpression);
}

function checkTimeZoneCached(timeZone: string): ScheduleCheck {
  return cached(zoneCache, timeZone, checkTimeZone);
}

function cached<T>(cache: Map<string, T>, key: string, make: (key: string) => T): T {
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  if (cache.size >= CACHE_LIMIT) cache.clear();
  const value = make(key);
  cache.set(key, value);
  return value;
}

/** Validates the expression field by field and expands each field into the values it allows. */
function compileExpression(expr: string): Compiled | ScheduleError {
  const trimmed = expr.trim();
  if (trimmed.startsWith('@')) {
    return scheduleError(
      `spec.schedule "${expr}" is a macro; write the 5 fields instead (minute hour day-of-month month day-of-week), e.g. "0 2 * * *" for @daily`,
    );
  }
  const parts = trimmed === '' ? [] : trimmed.split(/\s+/);
  if (parts.length !== FIELDS.length) {
    const hint = parts.length === 6 ? ' (a seconds field is not accepted)' : '';
    return scheduleError(
      `spec.schedule "${expr}" has ${parts.length} fields${hint}; it needs exactly 5: minute hour day-of-month month day-of-week, e.g. "0 2 * * *"`,
    );
  }
  const sets: FieldSet[] = [];
  for (const [i, field] of FIELDS.entries()) {
    const raw = parts[i] ?? '';
    const bad = (why: string): ScheduleError =>
      scheduleError(`spec.schedule "${expr}": the ${field.name} field "${raw}" ${why}; it takes ${field.takes}`);
    if (!field.chars.test(raw)) return bad(`has characters other than ${field.charsText}`);
    for (const word of raw.match(/[A-Za-z]+/g) ?? []) {
      if (!field.names?.includes(word.toLowerCase())) return bad(`has the unknown name "${word}"`);
    }
    // robfig/cron reads ? as *; the cron package does not know it.
    const value = raw.replaceAll('?', '*');
    // Checking each field on its own lets the message name the field the cron package refused.
    const probe = FIELDS.map((_, j) => (j === i ? value : '*')).join(' ');
    try {
      new CronTime(probe, 'UTC');
    } catch (err) {
      return bad(`is invalid (${err instanceof Error ? err.message : String(err)})`);
    }
    const set = expandField(value, field);
    // The cron package takes 7 for Sunday; robfig/cron does not, and the CronJob would be refused.
    if (set === undefined) return bad(`has a value above ${field.max}`);
    sets.push(set);
  }
  const [minute, hour, dayOfMonth, month, dayOfWeek] = sets as [FieldSet, FieldSet, FieldSet, FieldSet, FieldSet];
  const compiled: Compiled = { minute, hour, dayOfMonth, month, dayOfWeek };
  if (nextWallClock(compiled, NEVER_FIRES_PROBE) === undefined) {
    return scheduleError(
      `spec.schedule "${expr}" never fires: no month in the month field has the day given in the day-of-month field (e.g. 30 2 for February 30)`,
    );
  }
  return compiled;
}

/** Expands a field the cron package accepted as robfig/cron reads it; undefined when a value is out of range. */
function expandField(value: string, field: FieldSpec): FieldSet | undefined {
  const allows: boolean[] = [];
  let star = false;
  const number = (text: string): number => {
    const named = field.names?.indexOf(text.toLowerCase()) ?? -1;
    return named >= 0 ? named + (field.namesFrom ?? 0) : Number(text);
  };
  for (const item of value.split(',')) {
    const [range = '', stepText] = item.split('/');
    const step = stepText === undefined ? 1 : Number(stepText);
    let low = field.min;
    let high = field.max;
    if (range === '*') {
      // "*/2" is a list of values to robfig/cron, not a wildcard.
      star ||= step <= 1;
    } else {
      const [from = '', to] = range.split('-');
      low = number(from);
      high = to !== undefined ? number(to) : stepText !== undefined ? field.max : low;
    }
    if (low < field.min || high > field.max) return undefined;
    for (let v = low; v <= high; v += step) allows[v] = true;
  }
  return { allows, star };
}

/** Checks the zone against the ICU time zone database, with the exact spelling Go's time.LoadLocation needs. */
function checkTimeZone(timeZone: string): ScheduleCheck {
  const refuse = (why: string): ScheduleError => ({
    ok: false,
    field: 'spec.timeZone',
    reason: Reason.UnknownTimeZone,
    message: `spec.timeZone "${timeZone}" ${why}`,
  });
  if (!TIME_ZONE_SHAPE.test(timeZone))
    return refuse('is not an IANA time zone name such as UTC or Europe/Berlin (Area/Location, not an offset)');
  let resolved: string;
  try {
    resolved = new Intl.DateTimeFormat('en-US', { timeZone }).resolvedOptions().timeZone;
  } catch {
    return refuse('is not in the time zone database; use a name such as UTC or Europe/Berlin');
  }
  // Intl ignores case but the CronJob controller does not: "europe/berlin" would pass here and
  // then fail as a CronJob. Every segment of a real name starts with a capital.
  const wrongCase = timeZone !== resolved && timeZone.toLowerCase() === resolved.toLowerCase();
  if (wrongCase || timeZone.split('/').some((part) => !/^[A-Z]/.test(part))) {
    return refuse(`is not spelled as in the time zone database (names are case-sensitive); did you mean "${resolved}"?`);
  }
  return { ok: true };
}

function scheduleError(message: string): ScheduleError {
  return { ok: false, field: 'spec.schedule', reason: Reason.ScheduleInvalid, message };
}

/** Parses for the run-time functions; a caller that skipped {@link parseSchedule} gets its message as an error. */
function compile(expr: string, timeZone: string): Compiled {
  const compiled = compileCached(expr);
  if ('ok' in compiled) throw new Error(compiled.message);
  const zone = checkTimeZoneCached(timeZone);
  if (!zone.ok) throw new Error(zone.message);
  return compiled;
}

function instant(d: Date, name: string): number {
  const t = d.getTime();
  if (Number.isNaN(t)) throw new RangeError(`${name} is not a valid date`);
  return t;
}

/** The first fire strictly after `after` (ms), applying the gap and overlap rules of the header. */
function nextFire(fields: Compiled, timeZone: string, after: number): number | undefined {
  let wall = wallClock(after, timeZone);
  for (let skipped = 0; skipped < MAX_SKIPPED; skipped++) {
    const next = nextWallClock(fields, wall);
    if (next === undefined) return undefined;
    const first = instantsOf(next, timeZone)[0];
    // Undefined in a gap; not after `after` for the second pass of a repeated hour.
    if (first !== undefined && first > after) return first;
    wall = next;
  }
  return undefined;
}

/** The next matching wall-clock time (as UTC ms, whole minutes) strictly after `wall`, within the horizon. */
function nextWallClock(f: Compiled, wall: number): number | undefined {
  const limit = wall + HORIZON_MS;
  let t = (Math.floor(wall / MINUTE_MS) + 1) * MINUTE_MS;
  while (t <= limit) {
    const d = new Date(t);
    const [year, month, day, hour] = [d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), d.getUTCHours()];
    if (!f.month.allows[month + 1]) t = Date.UTC(year, month + 1, 1);
    else if (!dayMatches(f, day, d.getUTCDay())) t = Date.UTC(year, month, day + 1);
    else if (!f.hour.allows[hour]) t = Date.UTC(year, month, day, hour + 1);
    else if (!f.minute.allows[d.getUTCMinutes()]) t += MINUTE_MS;
    else return t;
  }
  return undefined;
}

/** robfig/cron's rule: when either day field starts with *, both must match; otherwise either may. */
function dayMatches(f: Compiled, dayOfMonth: number, dayOfWeek: number): boolean {
  const dom = f.dayOfMonth.allows[dayOfMonth] === true;
  const dow = f.dayOfWeek.allows[dayOfWeek] === true;
  return f.dayOfMonth.star || f.dayOfWeek.star ? dom && dow : dom || dow;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The wall-clock time in `timeZone` at instant `t`, written as UTC milliseconds. */
function wallClock(t: number, timeZone: string): number {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  const p: Record<string, number> = {};
  for (const { type, value } of f.formatToParts(t)) p[type] = Number(value);
  const ms = ((t % 1000) + 1000) % 1000;
  return Date.UTC(p.year ?? 0, (p.month ?? 1) - 1, p.day ?? 1, p.hour ?? 0, p.minute ?? 0, p.second ?? 0) + ms;
}

/** The instants (ascending) at which the wall clock of `timeZone` shows `wall`: none in a gap, two in an overlap. */
function instantsOf(wall: number, timeZone: string): number[] {
  // Offsets change at most once within a day around any real transition, so the offsets a day
  // either side cover every reading of this wall-clock time.
  const offsets = new Set([wall - DAY_MS, wall, wall + DAY_MS].map((t) => wallClock(t, timeZone) - t));
  return [...offsets]
    .map((offset) => wall - offset)
    .filter((t) => wallClock(t, timeZone) === wall)
    .sort((a, b) => a - b);
}
