// The Tenant's BackupHealthy condition: is there a verified backup from the run the schedule says
// should have finished by now? Pure; the controller passes `now` and requeues at `staleAt`.
//
// The run that is "due" is the latest scheduled fire time at least `grace` in the past: a Job
// starts at its fire time and needs a while to dump, upload and verify, and `grace` is that while.
// The tenant is healthy when its newest verified backup started at or after the due fire time
// (less a minute, for the clock of the node that ran the Job). Equivalently, and with one forward
// search instead of a backward one: the first fire the newest backup does not cover, plus
// `grace`, is still ahead. That instant is `staleAt`.
import { Reason } from '../api/conditions.js';
import { formatDuration } from './objective.js';
import { nextRun, parseSchedule } from './schedule.js';

/** How long after a scheduled run its verified backup may take to appear when the policy says nothing. */
export const DEFAULT_BACKUP_GRACE_MS = 2 * 3600 * 1000;
/** A backup's recorded start may precede its fire time by this much (clock skew between nodes). */
const EARLY_START_TOLERANCE_MS = 60_000;

/** What the health of one tenant's backups is judged from. */
export interface BackupHealthInput {
  /** Start of the tenant's newest complete and verified backup; undefined when there is none. */
  newestVerifiedAt?: Date;
  /** Its id, for the message. */
  newestVerifiedId?: string;
  /** The BackupPolicy's spec.schedule and spec.timeZone. */
  schedule: string;
  timeZone: string;
  /** Milliseconds a run may take to produce a verified backup; {@link DEFAULT_BACKUP_GRACE_MS} when unset. */
  grace?: number;
  now: Date;
  policySuspended?: boolean;
  tenantCreatedAt: Date;
  /** The tenant's backup CronJob as namespace/name, for the message. */
  cronJob?: string;
}

/** The reasons {@link backupHealth} gives. */
export type HealthReason =
  | typeof Reason.BackupFresh
  | typeof Reason.BackupStale
  | typeof Reason.NoBackupYet
  | typeof Reason.BackupsSuspended
  | typeof Reason.ScheduleInvalid
  | typeof Reason.UnknownTimeZone;

/** The BackupHealthy condition, and when it turns False if no newer verified backup lands. */
export interface BackupHealth {
  status: 'True' | 'False' | 'Unknown';
  reason: HealthReason;
  message: string;
  /** When the condition goes stale if nothing new lands, so the controller can requeue exactly then. */
  staleAt?: Date;
}

/** Judges whether a tenant has the verified backup its policy's schedule should have produced by `now`. */
export function backupHealth(input: BackupHealthInput): BackupHealth {
  const grace = checkedGrace(input.grace);
  const newest = input.newestVerifiedAt?.getTime();
  const described = describeNewest(newest, input.newestVerifiedId, input.now.getTime());
  return blockedHealth(input, described.age) ?? scheduledHealth(input, grace, newest, described);
}

/** Returns the grace to use, {@link DEFAULT_BACKUP_GRACE_MS} when unset; throws when it is not a duration. */
function checkedGrace(given: number | undefined): number {
  const grace = given ?? DEFAULT_BACKUP_GRACE_MS;
  if (!Number.isFinite(grace) || grace < 0)
    throw new RangeError(`backupHealth: grace must be a finite number of milliseconds >= 0, got ${grace}`);
  return grace;
}

/** The newest verified backup as the messages name it. */
interface NewestBackup {
  /** "newest verified backup <id>"; undefined when there is none. */
  backup?: string;
  /** How it is dated, for the messages that say so; '' when there is none. */
  age: string;
}

/** Describes the newest verified backup: its name, and how it is dated ('' when there is none). */
function describeNewest(newest: number | undefined, id: string | undefined, nowMs: number): NewestBackup {
  if (newest === undefined) return { age: '' };
  const backup = `newest verified backup ${id ?? iso(newest)}`;
  // Absolute times only: a message that says "49h old" changes on every pass, and the status
  // would be rewritten each time (the operator writes status only when it changed).
  const age = newest > nowMs ? `${backup} is dated ${iso(newest)}, in the future (clock skew?)` : `${backup} started ${iso(newest)}`;
  return { backup, age };
}

/** Returns the health when no backups can come at all (invalid schedule, suspended policy), else undefined. */
function blockedHealth(input: BackupHealthInput, age: string): BackupHealth | undefined {
  const check = parseSchedule(input.schedule, input.timeZone);
  // Nothing can be scheduled, so no backup will come: that must wake someone, hence False.
  if (!check.ok)
    return {
      status: 'False',
      reason: check.reason,
      message: `${age || 'this tenant has no verified backup'}, and no backups can be scheduled: ${check.message}`,
    };

  // False rather than True: a suspended policy means the tenant's new data is not backed up, and
  // that must stay visible to whoever is alerted on BackupHealthy, not hide behind the old state.
  if (input.policySuspended) {
    return {
      status: 'False',
      reason: Reason.BackupsSuspended,
      message: `the backup policy is suspended, so no new backups are taken; ${age || 'this tenant has no verified backup'}. Set spec.suspend to false on the BackupPolicy to resume`,
    };
  }
  return undefined;
}

/** Judges a schedulable policy: fresh, no backup yet, or stale, by the first run the newest backup does not cover. */
function scheduledHealth(input: BackupHealthInput, grace: number, newest: number | undefined, { backup, age }: NewestBackup): BackupHealth {
  const { schedule, timeZone } = input;
  const policy = `the policy (${schedule} ${timeZone})`;
  const graceText = `+${formatDuration(grace)} grace`;
  const whatToCheck = input.cronJob
    ? `check the CronJob ${input.cronJob} and its last Job`
    : "check the tenant's backup CronJob and its last Job";
  // Runs count from `grace` after creation: the tenant must be provisioned (database, CronJob)
  // before a backup can succeed, and a CronJob never runs a schedule from before it existed.
  const countsAfter = input.tenantCreatedAt.getTime() + grace;
  const coveredUntil = newest === undefined ? countsAfter : Math.max(countsAfter, newest + EARLY_START_TOLERANCE_MS);
  const missed = nextRun(schedule, timeZone, new Date(coveredUntil))?.getTime();
  const staleAt = missed === undefined ? undefined : new Date(missed + grace);
  const by = missed === undefined ? '' : `${iso(missed)} (${graceText})`;

  if (staleAt === undefined || staleAt.getTime() > input.now.getTime()) {
    const stale = staleAt ? { staleAt } : {};
    if (newest !== undefined) {
      const next = missed === undefined ? `${policy} schedules no further run` : `${policy} expects the next by ${by}`;
      return { status: 'True', reason: Reason.BackupFresh, message: `${backup} started ${iso(newest)}; ${next}`, ...stale };
    }
    const first = missed === undefined ? `${policy} schedules no run` : `${policy} expects the first by ${by}`;
    return { status: 'Unknown', reason: Reason.NoBackupYet, message: `no verified backup yet for this new tenant; ${first}`, ...stale };
  }
  if (newest === undefined) {
    return {
      status: 'False',
      reason: Reason.NoBackupYet,
      message: `no verified backup yet; ${policy} expected the first by ${by}: ${whatToCheck}`,
    };
  }
  return { status: 'False', reason: Reason.BackupStale, message: `${age}; ${policy} expected one by ${by}: ${whatToCheck}` };
}

function iso(t: number): string {
  return new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
