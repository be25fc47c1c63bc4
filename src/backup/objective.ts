// Whether a tenant could be restored within the restore-time objective, projected from its size
// and the speed its newest restore drill measured; the Tenant's RestoreWithinObjective condition.
import { Reason } from '../api/conditions.js';

/** The restore-time objective when none is configured: a tenant is back within a working day. */
export const DEFAULT_RESTORE_OBJECTIVE_SECONDS = 8 * 3600;

/** What the projection is made from. */
export interface RestoreProjectionInput {
  /** Size of the backup to restore (database dump + files), in bytes. */
  bytes: number;
  /** Restore speed the tenant's newest restore drill measured. */
  measuredRestoreBytesPerSecond?: number;
  /** When that drill ran, for the message. */
  drillAt?: Date;
  /** Fleet-wide speed assumed when the tenant has no drill yet. */
  defaultBytesPerSecond: number;
  objectiveSeconds?: number;
  /** Fixed time of a restore whatever its size (starting the database, restarting the app). */
  overheadSeconds: number;
}

/** The projection and the condition it gives. */
export interface RestoreProjection {
  projectedSeconds: number;
  withinObjective: boolean;
  status: 'True' | 'False' | 'Unknown';
  reason: typeof Reason.RestoreProjectedWithinObjective | typeof Reason.RestoreProjectedOverObjective | typeof Reason.NoRestoreDrill;
  message: string;
}

/** Projects how long restoring `bytes` takes and whether that meets the objective. */
export function projectRestore(input: RestoreProjectionInput): RestoreProjection {
  const { bytes, measuredRestoreBytesPerSecond: measured, defaultBytesPerSecond, overheadSeconds } = input;
  const objectiveSeconds = input.objectiveSeconds ?? DEFAULT_RESTORE_OBJECTIVE_SECONDS;
  requireNumber('bytes', bytes, false);
  requireNumber('overheadSeconds', overheadSeconds, false);
  requireNumber('defaultBytesPerSecond', defaultBytesPerSecond, true);
  requireNumber('objectiveSeconds', objectiveSeconds, true);
  if (measured !== undefined) requireNumber('measuredRestoreBytesPerSecond', measured, true);

  const rate = measured ?? defaultBytesPerSecond;
  const projectedSeconds = overheadSeconds + bytes / rate;
  const withinObjective = projectedSeconds <= objectiveSeconds;
  const source =
    measured === undefined
      ? 'fleet default: no restore drill of this tenant yet'
      : input.drillAt
        ? `drill ${input.drillAt.toISOString().slice(0, 10)}`
        : 'restore drill';
  const fixed = overheadSeconds > 0 ? ` + ${formatDuration(overheadSeconds * 1000)} fixed` : '';
  const base = `projected restore ${formatDuration(projectedSeconds * 1000)} for ${formatBytes(bytes)} at ${formatRate(rate)} (${source})${fixed}, objective ${formatDuration(objectiveSeconds * 1000)}`;

  if (!withinObjective) {
    const room = objectiveSeconds - overheadSeconds;
    const fix =
      room > 0
        ? `to meet it, restores must run at ${formatRate(bytes / room)} or more, or the tenant must hold at most ${formatBytes(rate * room)}`
        : `the fixed ${formatDuration(overheadSeconds * 1000)} alone exceeds it`;
    return { projectedSeconds, withinObjective, status: 'False', reason: Reason.RestoreProjectedOverObjective, message: `${base}; ${fix}` };
  }
  // Within the objective at an assumed speed is a guess, not evidence: Unknown until a drill measures it.
  if (measured === undefined) {
    return {
      projectedSeconds,
      withinObjective,
      status: 'Unknown',
      reason: Reason.NoRestoreDrill,
      message: `${base}; a restore drill will measure the real speed`,
    };
  }
  return { projectedSeconds, withinObjective, status: 'True', reason: Reason.RestoreProjectedWithinObjective, message: base };
}

/** Formats a duration for people: 45s, 35m, 1h12m, 49h, 5d3h (hours up to 72h, then days). */
export function formatDuration(ms: number): string {
  if (ms < 0) return `-${formatDuration(-ms)}`;
  if (ms < 59_500) return `${Math.round(ms / 1000)}s`;
  const minutes = Math.round(ms / 60_000);
  if (minutes < 60) return `${minutes}m`;
  if (minutes < 72 * 60) return `${Math.floor(minutes / 60)}h${minutes % 60 ? `${minutes % 60}m` : ''}`;
  const hours = Math.round(ms / 3_600_000);
  return `${Math.floor(hours / 24)}d${hours % 24 ? `${hours % 24}h` : ''}`;
}

/** Formats a size in binary units, as volumes are sized: 512 GiB. */
function formatBytes(bytes: number): string {
  return scaled(bytes, 1024, ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB']);
}

/** Formats a speed in decimal units, as transfer rates are quoted: 121 MB/s. */
function formatRate(bytesPerSecond: number): string {
  return scaled(bytesPerSecond, 1000, ['B/s', 'kB/s', 'MB/s', 'GB/s', 'TB/s']);
}

function scaled(value: number, base: number, units: readonly string[]): string {
  let i = 0;
  while (value >= base && i < units.length - 1) {
    value /= base;
    i++;
  }
  return `${Number(value.toPrecision(3))} ${units[i] ?? ''}`;
}

function requireNumber(name: string, value: number, positive: boolean): void {
  if (!Number.isFinite(value) || value < 0 || (positive && value === 0)) {
    throw new RangeError(`projectRestore: ${name} must be a finite number ${positive ? 'above 0' : 'of at least 0'}, got ${value}`);
  }
}
