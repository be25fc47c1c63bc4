// Reads the API server's audit log (JSON lines) to count exactly which requests a client made.
import { readFileSync, statSync } from 'node:fs';

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

/** A position in the audit log; events after it are read by {@link auditSince}. */
export function auditMark(): number {
  return statSync(auditLogPath()).size;
}

/** Returns the completed audit events written after `mark`. */
export function auditSince(mark: number): AuditEvent[] {
  const buf = readFileSync(auditLogPath());
  return buf
    .subarray(mark)
    .toString('utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as AuditEvent)
    .filter((e) => e.stage === 'ResponseComplete');
}

/** Reports whether an audit event is a write. */
export function isWrite(e: AuditEvent): boolean {
  return WRITE_VERBS.has(e.verb);
}
