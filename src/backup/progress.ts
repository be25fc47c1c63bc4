// Progress of a long transfer: counts bytes passing through a stream and reports bytes and rate
// at a fixed interval, so an on-call engineer watching a restore sees it move.
import { Transform, type TransformCallback } from 'node:stream';

/** One progress report. */
export interface Progress {
  label: string;
  bytes: number;
  seconds: number;
  bytesPerSecond: number;
  done: boolean;
}

/** Formats a byte count for people (binary units). */
export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(i === 0 ? 0 : 1)} ${units[i]}`;
}

/** A pass-through stream that counts bytes and calls `report` every `intervalMs` and at the end. */
export class ProgressMeter extends Transform {
  bytes = 0;
  private readonly started = performance.now();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly label: string,
    private readonly report: (p: Progress) => void,
    intervalMs = 5000,
  ) {
    super();
    this.timer = setInterval(() => this.report(this.snapshot(false)), intervalMs);
    this.timer.unref();
  }

  /** Returns the current figures. */
  snapshot(done: boolean): Progress {
    const seconds = (performance.now() - this.started) / 1000;
    return { label: this.label, bytes: this.bytes, seconds, bytesPerSecond: seconds > 0 ? this.bytes / seconds : 0, done };
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.bytes += chunk.length;
    cb(null, chunk);
  }

  override _flush(cb: TransformCallback): void {
    this.stop();
    this.report(this.snapshot(true));
    cb();
  }

  override _destroy(err: Error | null, cb: (error: Error | null) => void): void {
    this.stop();
    cb(err);
  }

  private stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
