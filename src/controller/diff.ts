// Decides whether an owned object must be written. A reconcile of an unchanged tenant must make
// zero writes, so an apply happens only when the observed object lacks something we want
// (someone edited or deleted it) or our own desired manifest changed since the last apply.
import { createHash } from 'node:crypto';
import { APPLIED_HASH_ANNOTATION } from '../api/names.js';

/** Returns a stable JSON text: object keys sorted, so equal manifests hash equal. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Returns the hash of a desired manifest, recorded on the object when it is applied. */
export function manifestHash(manifest: unknown): string {
  return createHash('sha256').update(canonicalJson(manifest)).digest('hex').slice(0, 20);
}

/**
 * Reports whether everything in `want` is present and equal in `have`. Fields the API server or
 * other controllers add are ignored; lists must have the same length and match item by item,
 * because a list we set is a list we own.
 */
export function isSubset(want: unknown, have: unknown): boolean {
  if (want === undefined) return true;
  if (Array.isArray(want)) {
    return Array.isArray(have) && have.length === want.length && want.every((w, i) => isSubset(w, have[i]));
  }
  if (want !== null && typeof want === 'object') {
    if (have === null || typeof have !== 'object' || Array.isArray(have)) return false;
    const h = have as Record<string, unknown>;
    return Object.entries(want as Record<string, unknown>).every(([k, v]) => isSubset(v, h[k]));
  }
  return want === have;
}

/** Returns the path of the first place where `have` lacks or differs from `want`, or undefined (for error messages). */
export function firstMismatch(want: unknown, have: unknown, path = ''): string | undefined {
  if (want === undefined) return undefined;
  if (Array.isArray(want)) {
    if (!Array.isArray(have) || have.length !== want.length) return path || '(root)';
    for (const [i, w] of want.entries()) {
      const m = firstMismatch(w, have[i], `${path}[${i}]`);
      if (m) return m;
    }
    return undefined;
  }
  if (want !== null && typeof want === 'object') {
    if (have === null || typeof have !== 'object' || Array.isArray(have)) return path || '(root)';
    for (const [k, v] of Object.entries(want as Record<string, unknown>)) {
      const m = firstMismatch(v, (have as Record<string, unknown>)[k], path ? `${path}.${k}` : k);
      if (m) return m;
    }
    return undefined;
  }
  return want === have ? undefined : path || '(root)';
}

/** Returns a copy of the manifest carrying its own hash in the applied-hash annotation. */
export function withAppliedHash<T extends { metadata: object }>(manifest: T): T & { metadata: { annotations: Record<string, string> } } {
  const hash = manifestHash(manifest);
  const annotations = 'annotations' in manifest.metadata ? manifest.metadata.annotations : undefined;
  return {
    ...manifest,
    metadata: { ...manifest.metadata, annotations: { ...(isObject(annotations) ? annotations : {}), [APPLIED_HASH_ANNOTATION]: hash } },
  };
}

function isObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null;
}

/** Returns the applied-hash annotation of an object (desired, or read back), or undefined when it carries none as a string. */
export function appliedHashOf(o: unknown): string | undefined {
  const meta = isObject(o) && 'metadata' in o ? o.metadata : undefined;
  const annotations = isObject(meta) && 'annotations' in meta ? meta.annotations : undefined;
  const hash = isObject(annotations) && APPLIED_HASH_ANNOTATION in annotations ? annotations[APPLIED_HASH_ANNOTATION] : undefined;
  return typeof hash === 'string' ? hash : undefined;
}

/** Why an object needs a write, or undefined when it is already as desired. */
export type ApplyReason = 'missing' | 'changed' | 'drifted' | undefined;

/** Decides whether `desired` (already carrying its hash) must be applied over `observed`. */
export function applyReason(desired: { metadata: object }, observed: unknown): ApplyReason {
  if (observed === undefined || observed === null) return 'missing';
  if (appliedHashOf(observed) !== appliedHashOf(desired)) return 'changed';
  return isSubset(desired, observed) ? undefined : 'drifted';
}
