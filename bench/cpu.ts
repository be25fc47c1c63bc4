// CPU seconds per process, from /proc: on a machine of two cores the API server, etcd, the
// controller manager and the client compete for the same cores, so a phase's wall time is only
// explained by who spent the CPU in it.
import { readFileSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat on Linux (USER_HZ, 100 on every common kernel). */
const TICKS_PER_SECOND = 100;

/** CPU seconds (user + system) a process has used so far; NaN when it is gone. */
export function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start at state, field 3; utime and stime are 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return NaN;
  }
}

/** Measures the CPU seconds each named process spends between `start` and `stop`. */
export class CpuMeter {
  private readonly startAt = new Map<string, number>();

  constructor(private readonly pids: Record<string, number>) {}

  start(): this {
    for (const [name, pid] of Object.entries(this.pids)) this.startAt.set(name, cpuSeconds(pid));
    return this;
  }

  /** CPU seconds per process since start, rounded to 0.1 s. */
  stop(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [name, pid] of Object.entries(this.pids))
      out[name] = Math.round((cpuSeconds(pid) - (this.startAt.get(name) ?? NaN)) * 10) / 10;
    return out;
  }
}
