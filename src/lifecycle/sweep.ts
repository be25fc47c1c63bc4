// The decisions of `tenantry sweep`, the daily second line of defence behind the reconciler: which
// tenants lag their lifecycle, which backup prefixes are an erased tenant's leftovers (deleted),
// which belong to a live tenant (left alone) and which belong to nobody (reported, never deleted),
// and which tenant KMS aliases belong to nobody. Pure: the command gathers the facts (Tenants,
// prefixes, receipts, aliases) and performs what these functions decide.
//
// Only one thing is ever deleted here, and only on two proofs: the Tenant object with this name
// says Erased with its receipt, AND the receipt exists in the region's locked archive under that
// Tenant's uid. Anything less (a name that matches, a receipt without a Tenant, a Tenant in another
// region) is reported for a person to look at.
import type { Tenant } from '../api/generated/index.js';
import { parseRfc3339 } from './timestamps.js';
import type { LifecycleEvaluation } from './types.js';

/** Annotation the sweep sets on a lagging Tenant: a metadata write wakes the reconciler, which does the work. */
export const SWEEP_REQUESTED_ANNOTATION = 'tenantry.io/sweep-requested-at';
/** How late a transition may be (status.lifecycle.nextAt in the past) before the sweep calls it lagging. */
export const SWEEP_GRACE_MS = 10 * 60_000;
/** How long an erasure may run before the sweep calls it stalled. */
export const ERASURE_STALL_MS = 60 * 60_000;

const TENANT_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Whether a string can be a tenant name (a DNS label): anything else under a backup prefix is no tenant's. */
export function isTenantName(name: string): boolean {
  return name.length <= 63 && TENANT_RE.test(name);
}

/** Why a tenant's recorded status lags what the engine says now; empty when it does not. */
export function lagReasons(t: Tenant, e: LifecycleEvaluation, now: Date): string[] {
  const lc = t.status?.lifecycle;
  // Erased is final: nothing is left for the reconciler to do.
  if (lc?.phase === 'Erased') return [];
  const reasons: string[] = [];
  if (lc?.phase !== e.phase) reasons.push(`status.lifecycle.phase is ${lc?.phase ?? '(unset)'}, the rules say ${e.phase}`);
  const nextAt = lc?.nextAt === undefined ? null : parseRfc3339(lc.nextAt);
  if (nextAt !== null && now.getTime() - nextAt.getTime() > SWEEP_GRACE_MS) {
    reasons.push(`status.lifecycle.nextAt ${lc!.nextAt} passed more than ${SWEEP_GRACE_MS / 60_000} minutes ago`);
  }
  const started = lc?.erasure?.startedAt === undefined ? null : parseRfc3339(lc.erasure.startedAt);
  if (started !== null && now.getTime() - started.getTime() > ERASURE_STALL_MS) {
    reasons.push(`erasure started at ${lc!.erasure!.startedAt} and is not finished after ${ERASURE_STALL_MS / 3_600_000} h`);
  }
  return reasons;
}

/** Whether the Tenant's status says it was erased, with its receipt. */
export function erasedWithReceipt(t: Tenant): boolean {
  return t.status?.lifecycle?.phase === 'Erased' && t.status.lifecycle.receipt !== undefined;
}

/** What the sweep knows about one tenant prefix of a backup destination. */
export interface PrefixFacts {
  /** The segment under the destination's prefix (the tenant name, if it is one). */
  name: string;
  /** The destination's region. */
  region: string;
  /** The Tenant of that name, if one exists. */
  tenant?: Tenant;
  /** For an Erased Tenant: its receipt in the region's archive, under its uid (undefined: none there). */
  receipt?: Readonly<Record<string, unknown>>;
  /** For a name without a Tenant: whether the region's archive holds any erasure receipt of that name. */
  nameHasReceipt?: boolean;
  /** Another BackupPolicy's destination lies inside this prefix (same bucket, e.g. prefix `prod` under a policy at the root). */
  holdsDestinationOf?: string;
}

/** What to do with one prefix. */
export type PrefixDecision =
  | { action: 'delete'; category: 'leftovers'; tenant: string; uid: string }
  | { action: 'keep'; category: 'live' }
  | { action: 'report'; category: 'orphaned' | 'unproven'; why: string };

/** Decides what to do with one tenant prefix of a backup destination. */
export function decidePrefix(f: PrefixFacts): PrefixDecision {
  // Deleting it would take every tenant of that other destination with it; listing it as an orphan would be wrong too.
  if (f.holdsDestinationOf !== undefined) return { action: 'keep', category: 'live' };
  const t = f.tenant;
  if (!t) {
    if (!isTenantName(f.name)) return { action: 'report', category: 'orphaned', why: 'not a tenant name; no Tenant can own it' };
    if (!f.nameHasReceipt) return { action: 'report', category: 'orphaned', why: 'no Tenant of this name and no erasure receipt' };
    // The Tenant object of an erased tenant may be deleted; a new one of the same name may come.
    // Without the object there is no uid to tie these objects to that receipt: a person decides.
    return {
      action: 'report',
      category: 'unproven',
      why: 'an erasure receipt of this name exists but no Tenant: cannot prove whose these are',
    };
  }
  if (!erasedWithReceipt(t)) return { action: 'keep', category: 'live' };
  const uid = t.metadata.uid;
  if (!uid) return { action: 'report', category: 'unproven', why: 'the Erased Tenant has no uid' };
  if (t.spec.region !== f.region) {
    return { action: 'report', category: 'unproven', why: `the Tenant is of region ${t.spec.region}, the destination of ${f.region}` };
  }
  if (f.receipt === undefined) {
    return { action: 'report', category: 'unproven', why: `status says Erased but the archive holds no receipt for uid ${uid}` };
  }
  if (f.receipt['uid'] !== uid || f.receipt['tenant'] !== t.metadata.name) {
    return { action: 'report', category: 'unproven', why: `the archived receipt does not name tenant ${t.metadata.name} uid ${uid}` };
  }
  return { action: 'delete', category: 'leftovers', tenant: t.metadata.name!, uid };
}

/** What the sweep knows about one KMS alias `alias/tenantry/<name>`. */
export interface AliasFacts {
  name: string;
  tenant?: Tenant;
  /** Whether any erasure receipt of this name exists in the region's archive. */
  hasReceipt: boolean;
}

/** What to make of one tenant key alias: keys are never deleted by the sweep, only reported. */
export type AliasDecision = { category: 'live' | 'erased' } | { category: 'orphaned'; why: string };

/** Decides what one tenant key alias is. */
export function decideAlias(f: AliasFacts): AliasDecision {
  if (f.tenant) return { category: erasedWithReceipt(f.tenant) ? 'erased' : 'live' };
  if (f.hasReceipt) return { category: 'erased' };
  return { category: 'orphaned', why: 'no Tenant of this name and no erasure receipt' };
}

/** The receipts folder of a tenant name in an archive bucket (RegionArchive.receiptKey puts each receipt there, by uid). */
export function receiptFolder(tenant: string): string {
  return `receipts/${tenant}/`;
}

/** The tenant segment of a common prefix under a destination prefix (`base/` + `name/`); undefined for anything else. */
export function prefixName(base: string, commonPrefix: string): string | undefined {
  if (!commonPrefix.startsWith(base) || !commonPrefix.endsWith('/')) return undefined;
  const name = commonPrefix.slice(base.length, -1);
  return name === '' || name.includes('/') ? undefined : name;
}

/** The listing prefix of a destination: `<prefix>/`, or the bucket root. */
export function destinationBase(prefix: string | undefined): string {
  const base = (prefix ?? '').replace(/^\/+|\/+$/g, '');
  return base ? `${base}/` : '';
}

/** Counts per category, printed as the sweep's last line. */
export interface SweepSummary {
  dryRun: boolean;
  tenants: number;
  lagging: number;
  nudged: number;
  prefixes: { live: number; leftovers: number; leftoversDeleted: number; orphaned: number; unproven: number };
  /** Objects (and versions) deleted, or in a dry run that would be. */
  objectsDeleted: number;
  bytesDeleted: number;
  keys: { live: number; erased: number; orphaned: number };
  /** Orphaned prefixes per region (what tenantry_sweep_orphaned_prefixes{region} would be). */
  orphanedPrefixesByRegion: Record<string, number>;
  errors: number;
}

/** An empty summary. */
export function emptySummary(dryRun: boolean): SweepSummary {
  return {
    dryRun,
    tenants: 0,
    lagging: 0,
    nudged: 0,
    prefixes: { live: 0, leftovers: 0, leftoversDeleted: 0, orphaned: 0, unproven: 0 },
    objectsDeleted: 0,
    bytesDeleted: 0,
    keys: { live: 0, erased: 0, orphaned: 0 },
    orphanedPrefixesByRegion: {},
    errors: 0,
  };
}
