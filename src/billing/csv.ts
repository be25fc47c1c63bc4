// CSV as both engines' exports write it (RFC 4180: fields with a quote, comma or line break are
// quoted, quotes doubled): quoting for the header we write ourselves, and a streaming record
// counter that gives the row count and refuses a cut-off or malformed export.
import { Transform, type TransformCallback } from 'node:stream';

const QUOTE = 0x22;
const NEWLINE = 0x0a;

/** Quotes one CSV field (always, so a reader never has to guess). */
export function csvField(value: string): string {
  return `"${value.replaceAll('"', '""')}"`;
}

/** Returns one CSV line of quoted fields, ending in a newline. */
export function csvLine(values: readonly string[]): string {
  return `${values.map(csvField).join(',')}\n`;
}

/**
 * A pass-through stream that counts CSV records: a newline outside quotes ends one. At the end it
 * fails on an unterminated quoted field or a stream without even a header line, so a cut-off
 * export never counts as complete; {@link rows} is the records after the header.
 */
export class CsvRecordCounter extends Transform {
  records = 0;
  bytes = 0;
  private inQuotes = false;
  private lastByte = -1;

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    for (const b of chunk) {
      if (b === QUOTE) this.inQuotes = !this.inQuotes;
      else if (b === NEWLINE && !this.inQuotes) this.records++;
    }
    if (chunk.length) this.lastByte = chunk[chunk.length - 1]!;
    this.bytes += chunk.length;
    cb(null, chunk);
  }

  override _flush(cb: TransformCallback): void {
    if (this.inQuotes) return cb(new Error('the CSV ends inside a quoted field: the export is cut off or malformed'));
    // A last record without its newline still counts.
    if (this.bytes > 0 && this.lastByte !== NEWLINE) this.records++;
    if (this.records === 0) return cb(new Error('the CSV has no header line: the export produced nothing'));
    cb();
  }

  /** Data rows: the records after the header line. */
  get rows(): number {
    return Math.max(0, this.records - 1);
  }
}
