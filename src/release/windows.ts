// Maintenance windows of a ReleaseChannel: a window opens each time its cron schedule fires in its
// time zone and stays open for durationMinutes. Fire times come from the same reading of cron as
// BackupPolicy schedules (src/backup/schedule.ts: the `cron` package checks the fields; daylight
// saving gaps and overlaps are handled there), so one expression means the same everywhere.
// A bad expression or zone never throws here: validateWindows names it, and the engine waits.
import type { ReleaseChannelSpecRolloutMaintenanceWindowsItem } from '../api/generated/index.js';
import { nextRun, parseSchedule, previousRun } from '../backup/schedule.js';

export type MaintenanceWindow = ReleaseChannelSpecRolloutMaintenanceWindowsItem;

const MINUTE_MS = 60_000;
/** The CRD's default zone, for a window read from an object the API server did not default. */
const DEFAULT_ZONE = 'UTC';

/** A refused window: its index and a message naming the field, for status.message. */
export interface WindowProblem {
  index: number;
  message: string;
}

function zoneOf(w: MaintenanceWindow): string {
  return w.timeZone ?? DEFAULT_ZONE;
}

/** The first window whose schedule or time zone is refused, or undefined when all are usable. */
export function validateWindows(windows: readonly MaintenanceWindow[]): WindowProblem | undefined {
  for (const [index, w] of windows.entries()) {
    const problem = windowProblem(w);
    if (problem !== undefined) return { index, message: problem.replace(/^spec\./, `spec.rollout.maintenanceWindows[${index}].`) };
  }
  return undefined;
}

function windowProblem(w: MaintenanceWindow): string | undefined {
  const check = parseSchedule(w.schedule, zoneOf(w));
  if (!check.ok) return check.message;
  if (!Number.isInteger(w.durationMinutes) || w.durationMinutes < 1)
    return `spec.durationMinutes must be a whole number of minutes >= 1 (got ${String(w.durationMinutes)})`;
  return undefined;
}

function usable(windows: readonly MaintenanceWindow[]): MaintenanceWindow[] {
  return windows.filter((w) => windowProblem(w) === undefined);
}

/** Whether `now` lies in [fire, fire + durationMinutes) of some usable window; refused windows are never open. */
export function windowOpenAt(windows: readonly MaintenanceWindow[], now: Date): boolean {
  return usable(windows).some((w) => {
    // The latest opening at or before now is the one whose window ends last: all have the same length.
    const opened = previousRun(w.schedule, zoneOf(w), now);
    return opened !== undefined && now.getTime() < opened.getTime() + w.durationMinutes * MINUTE_MS;
  });
}

/** The earliest opening of a usable window strictly after `now`, or undefined when none opens again. */
export function nextWindowOpening(windows: readonly MaintenanceWindow[], now: Date): Date | undefined {
  let next: Date | undefined;
  for (const w of usable(windows)) {
    const t = nextRun(w.schedule, zoneOf(w), now);
    if (t !== undefined && (next === undefined || t.getTime() < next.getTime())) next = t;
  }
  return next;
}
