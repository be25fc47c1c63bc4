// Which backups of one tenant to keep and which to delete, from the BackupPolicy's retention
// rules: the semantics of restic's `forget`, so operators can reason about it with a known model.
//
// - A backup is kept when any rule keeps it (union).
// - keepDaily/keepWeekly/keepMonthly N keep the newest backup of each of the newest N days/ISO
//   weeks/months (UTC) that HAVE a backup, as restic counts them, not of the last N calendar
//   periods: a tenant whose backups stopped for a month still keeps N daily restore points.
// - The rules apply to every complete backup, verified or not: a policy that does not verify
//   (verify: false) still prunes by its rules, and turning verification on later does not wipe
//   the unverified history its rules still keep.
// - Only the protection of the newest good backup depends on verification: the newest verified
//   backup is always kept, whatever the rules say; with none verified, the newest complete one is.
// - Incomplete backups (no manifest yet) are neither kept nor removed: they may be uploading right
//   now, and abandoned uploads are the orphan sweep's to delete.
// - A backup dated after `now` (clock skew) is kept and never counted as old; it takes no slot.
import type { BackupPolicySpecRetention } from '../api/generated/index.js';

/** One stored backup of a tenant, as listed from the bucket. */
export interface BackupRecord {
  id: string;
  tenant: string;
  startedAt: Date | string;
  /** A restore check passed. */
  verified: boolean;
  /** The manifest (the commit point of a backup) was written. */
  complete: boolean;
}

/** The retention rules of a BackupPolicy (spec.retention). */
export type RetentionRules = BackupPolicySpecRetention;

/** What to do with each backup, newest first in every list. */
export interface RetentionPlan {
  keep: { id: string; reasons: string[] }[];
  remove: { id: string; reason: string }[];
  /** Incomplete backups, left alone: see the file header. */
  ignored: { id: string; reason: string }[];
}

const DAY_MS = 24 * 60 * 60 * 1000;
const RULES = ['keepLast', 'keepDaily', 'keepWeekly', 'keepMonthly', 'keepWithinDays'] as const;

interface Dated {
  record: BackupRecord;
  t: number;
}

/** Plans which of one tenant's backups to keep and remove at `now` (see the file header for the rules). */
export function planRetention(backups: readonly BackupRecord[], rules: RetentionRules, now: Date): RetentionPlan {
  const nowMs = now.getTime();
  if (Number.isNaN(nowMs)) throw new RangeError('planRetention: now is not a valid date');
  checkRules(rules);
  // The worst failure of a retention pass is deleting one tenant's backups under another tenant's
  // rules (or because they fill another tenant's slots); refuse rather than guess.
  const tenants = [...new Set(backups.map((b) => b.tenant))].sort();
  if (tenants.length > 1) {
    throw new Error(
      `planRetention: backups of ${tenants.length} tenants (${tenants.join(', ')}) were passed together; retention is planned for one tenant at a time`,
    );
  }
  const dated = backups.map(toDated).sort(newestFirst);
  const ids = new Set<string>();
  for (const { record } of dated) {
    // Two entries with one id would make "remove X" ambiguous.
    if (ids.has(record.id)) throw new Error(`planRetention: backup id ${record.id} is listed twice for tenant ${record.tenant}`);
    ids.add(record.id);
  }

  const plan: RetentionPlan = { keep: [], remove: [], ignored: [] };
  const complete = dated.filter((d) => d.record.complete && d.t <= nowMs);
  const ruleReasons = reasonsByRule(complete, rules, nowMs);
  // The newest good backup survives any rules: the newest verified one, else the newest complete.
  const protectedBackup = complete.find((d) => d.record.verified) ?? complete[0];
  if (protectedBackup) {
    const why = protectedBackup.record.verified ? 'newest verified backup' : 'newest complete backup (none is verified)';
    ruleReasons.set(protectedBackup.record.id, [why, ...(ruleReasons.get(protectedBackup.record.id) ?? [])]);
  }
  for (const d of dated) {
    const { id } = d.record;
    if (!d.record.complete) {
      plan.ignored.push({ id, reason: 'incomplete (no manifest): still uploading, or left to the orphan sweep' });
    } else if (d.t > nowMs) {
      plan.keep.push({ id, reasons: [`dated in the future (${iso(d.t)}, clock skew?): never counted as old`] });
    } else {
      const reasons = ruleReasons.get(id) ?? [];
      if (reasons.length > 0) plan.keep.push({ id, reasons });
      else plan.remove.push({ id, reason: 'kept by no retention rule' });
    }
  }
  return plan;
}

/** The reasons each complete backup (given newest first) is kept for by the rules, by id. */
function reasonsByRule(complete: readonly Dated[], rules: RetentionRules, now: number): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const add = (d: Dated, reason: string) => {
    const list = out.get(d.record.id);
    if (list) list.push(reason);
    else out.set(d.record.id, [reason]);
  };
  const last = rules.keepLast ?? 0;
  complete.slice(0, last).forEach((d, i) => add(d, `keepLast ${i + 1}/${last}`));
  keepPerPeriod(complete, 'keepDaily', rules.keepDaily ?? 0, utcDay, add);
  keepPerPeriod(complete, 'keepWeekly', rules.keepWeekly ?? 0, isoWeek, add);
  keepPerPeriod(complete, 'keepMonthly', rules.keepMonthly ?? 0, utcMonth, add);
  const within = rules.keepWithinDays ?? 0;
  if (within > 0) {
    const since = now - within * DAY_MS;
    for (const d of complete) if (d.t > since) add(d, `keepWithinDays ${within}`);
  }
  return out;
}

/** Keeps the newest backup of each of the newest `n` periods that have one (restic's counting). */
function keepPerPeriod(
  backups: readonly Dated[],
  rule: string,
  n: number,
  period: (t: number) => string,
  add: (d: Dated, reason: string) => void,
): void {
  let previous: string | undefined;
  let count = 0;
  for (const d of backups) {
    if (count >= n) return;
    const key = period(d.t);
    // Newest first, so the first backup seen in a period is that period's newest.
    if (key === previous) continue;
    previous = key;
    count++;
    add(d, `${rule} ${key} ${count}/${n}`);
  }
}

function checkRules(rules: RetentionRules): void {
  for (const rule of RULES) {
    const v = rules[rule];
    if (v !== undefined && !(Number.isInteger(v) && v >= 0))
      throw new RangeError(`planRetention: retention.${rule} must be a whole number >= 0, got ${v}`);
  }
  // The API server refuses such a policy; this guards against one that slipped past it (an old
  // CRD), since keeping nothing but the newest backup would delete the rest.
  if (!RULES.some((rule) => (rules[rule] ?? 0) > 0)) {
    throw new RangeError('planRetention: the retention rules keep nothing (every rule is 0 or unset); refusing to plan deletions');
  }
}

function toDated(record: BackupRecord): Dated {
  const t = new Date(record.startedAt).getTime();
  if (Number.isNaN(t))
    throw new RangeError(
      `planRetention: backup ${record.id} of tenant ${record.tenant} has an invalid startedAt "${String(record.startedAt)}"`,
    );
  return { record, t };
}

/** Newest first; equal times by id, descending, so the plan never depends on listing order. */
function newestFirst(a: Dated, b: Dated): number {
  if (a.t !== b.t) return b.t - a.t;
  return a.record.id < b.record.id ? 1 : a.record.id > b.record.id ? -1 : 0;
}

function iso(t: number): string {
  return new Date(t).toISOString().replace('.000Z', 'Z');
}

function utcDay(t: number): string {
  return new Date(t).toISOString().slice(0, 10);
}

function utcMonth(t: number): string {
  return new Date(t).toISOString().slice(0, 7);
}

/** ISO 8601 week of the UTC date, e.g. 2026-W01 (weeks start on Monday; week 1 holds the year's first Thursday). */
function isoWeek(t: number): string {
  const d = new Date(t);
  const mondayBased = (d.getUTCDay() + 6) % 7;
  const thursday = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() - mondayBased + 3);
  const year = new Date(thursday).getUTCFullYear();
  const week = 1 + Math.floor((thursday - Date.UTC(year, 0, 1)) / (7 * DAY_MS));
  return `${year}-W${String(week).padStart(2, '0')}`;
}
