// Reads the API server's audit log (JSON lines) to count exactly which requests a client made.
import { closeSync, fstatSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { basename, dirname, extname } from 'node:path';
import { StringDecoder } from 'node:string_decoder';

/** The fields of an audit event the tests use. */
export interface AuditEvent {
  verb: string;
  user: { username: string; groups?: string[] };
  userAgent?: string;
  objectRef?: { resource?: string; namespace?: string; name?: string; apiGroup?: string; subresource?: string };
  responseStatus?: { code?: number };
  stage: string;
  requestReceivedTimestamp: string;
}

const WRITE_VERBS = new Set(['create', 'update', 'patch', 'delete', 'deletecollection']);

/** Returns the audit log path of the test control plane. */
export function auditLogPath(): string {
  const p = process.env.TENANTRY_AUDIT_LOG;
  if (!p) throw new Error('TENANTRY_AUDIT_LOG not set: run through the test driver');
  return p;
}

/** The file (inode) each audit log path named when a mark was last taken in it. */
const markedFiles = new Map<string, number>();

/** A position in the audit log; events after it are read by {@link auditSince}. */
export function auditMark(): number {
  const path = auditLogPath();
  const st = statSync(path);
  markedFiles.set(path, st.ino);
  return st.size;
}

/**
 * Throws when the log is no longer the file the mark was taken in, or lost what followed the
 * mark: a count from it would be silently short. The API server's log rotation renames the file
 * and starts a new one (which may have grown past the mark again), keeping the old one beside it.
 */
function assertNotRotated(path: string, fd: number, mark: number): void {
  const st = fstatSync(fd);
  if (st.size < mark) {
    throw new Error(
      `audit log ${path} is ${st.size} bytes, less than the mark at ${mark}: it was truncated or rotated, and events were lost`,
    );
  }
  const marked = markedFiles.get(path);
  if (marked !== undefined && marked !== st.ino) {
    throw new Error(`audit log ${path} was replaced since the mark (rotated?): the events between mark and now are not all in it`);
  }
  const ext = extname(path);
  const prefix = `${basename(path, ext)}-`;
  const rotated = readdirSync(dirname(path)).filter((f) => f.startsWith(prefix) && f.endsWith(ext) && f !== basename(path));
  if (rotated.length > 0) {
    throw new Error(`audit log ${path} was rotated (${rotated.join(', ')}): raise the API server's --audit-log-maxsize`);
  }
}

/**
 * Returns the completed audit events written after `mark`, optionally only those `keep` accepts.
 * Read in chunks: a benchmark's log grows past what one string (512 MB) or one Buffer can hold.
 */
export function auditSince(mark: number, keep: (e: AuditEvent) => boolean = () => true): AuditEvent[] {
  const path = auditLogPath();
  const fd = openSync(path, 'r');
  const out: AuditEvent[] = [];
  const chunk = Buffer.allocUnsafe(16 * 1024 * 1024);
  let pos = mark;
  let rest = '';
  // The mark is the file's size when it was taken, which may fall inside an event the API server
  // was still writing (a busy server, a long line): that event's tail is no line of its own.
  let partial = mark > 0 && !endsLine(fd, mark);
  // A chunk may end inside a multi-byte character; the decoder carries it over.
  const decoder = new StringDecoder('utf8');
  try {
    assertNotRotated(path, fd, mark);
    for (;;) {
      const n = readSync(fd, chunk, 0, chunk.length, pos);
      if (n === 0) break;
      pos += n;
      const lines = (rest + decoder.write(chunk.subarray(0, n))).split('\n');
      rest = lines.pop() ?? '';
      if (partial && lines.length > 0) {
        lines.shift();
        partial = false;
      }
      for (const l of lines) {
        if (l.trim() === '') continue;
        const e = JSON.parse(l) as AuditEvent;
        if (e.stage === 'ResponseComplete' && keep(e)) out.push(e);
      }
    }
  } finally {
    closeSync(fd);
  }
  return out;
}

/** Reports whether the byte before `pos` is a newline, so that `pos` starts a line. */
function endsLine(fd: number, pos: number): boolean {
  const b = Buffer.alloc(1);
  return readSync(fd, b, 0, 1, pos - 1) === 1 && b[0] === 0x0a;
}

/** Reports whether an audit event is a write. */
export function isWrite(e: AuditEvent): boolean {
  return WRITE_VERBS.has(e.verb);
}
