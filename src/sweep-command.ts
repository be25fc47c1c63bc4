// `tenantry sweep`: the daily CronJob behind the reconciler. It re-evaluates every Tenant and nudges
// those whose status lags the rules (the reconciler does the work: one writer for erasure), deletes
// backup objects left under the prefix of an erased tenant whose receipt proves the erasure, and
// reports prefixes and tenant key aliases that belong to no Tenant and have no receipt — it never
// deletes those. The last line of its output is the summary (one JSON object with -o json).
//
// The orphan counts have no metric endpoint (a CronJob is not scraped and a Pushgateway is not part
// of the install): they are in the summary (`orphanedPrefixesByRegion`, `keys.orphaned`), and each
// orphan is a log line at level warn with `event: "sweep.orphan"`, which a log-based alert counts.
import { KMSClient } from '@aws-sdk/client-kms';
import type { S3Client } from '@aws-sdk/client-s3';
import { KubeConfig } from '@kubernetes/client-node';
import {
  BACKUP_POLICY_API_VERSION,
  BACKUP_POLICY_PLURAL,
  TENANT_API_VERSION,
  TENANT_PLURAL,
  type BackupPolicy,
  type Tenant,
} from './api/generated/index.js';
import { ConfigError, defaultConfig, loadConfigFile, parseConfig, type OperatorConfig } from './config.js';
import { PolicyCredentials } from './controller/credentials.js';
import { createS3Client } from './cloud/s3.js';
import { RegionArchive } from './lifecycle/archive.js';
import { AuditTrails } from './lifecycle/audit.js';
import { deleteTenantBackups, type BackupErasure } from './lifecycle/backup-erasure.js';
import { evaluate } from './lifecycle/engine.js';
import {
  decideAlias,
  decidePrefix,
  destinationBase,
  emptySummary,
  erasedWithReceipt,
  isTenantName,
  lagReasons,
  SWEEP_REQUESTED_ANNOTATION,
  type PrefixFacts,
  type SweepSummary,
} from './lifecycle/sweep.js';
import { hasAnyReceipt, listTenantAliases, listTenantPrefixes } from './lifecycle/sweep-sources.js';
import { createLogger, setLogger, type Logger } from './log.js';
import { ApiError, KubeRest, resourcePath } from './runtime/rest.js';

/** Exit code for a usage error (EX_USAGE from sysexits.h). */
const EXIT_USAGE = 64;
/** The field manager and audit actor of the sweep. */
export const SWEEP_MANAGER = 'tenantry-sweep';

const TENANTS = { apiVersion: TENANT_API_VERSION, plural: TENANT_PLURAL, namespaced: false };
const POLICIES = { apiVersion: BACKUP_POLICY_API_VERSION, plural: BACKUP_POLICY_PLURAL, namespaced: false };

/** Parsed options of `tenantry sweep`. */
export interface SweepFlags {
  'dry-run'?: boolean;
  config?: string;
  kubeconfig?: string;
  output?: string;
  namespace?: string;
  'log-level'?: string;
}

/** One finding, printed as a line (a JSON object with -o json). */
type Finding = Record<string, unknown> & { kind: string };

/** What one sweep run works with. */
interface Run {
  config: OperatorConfig;
  rest: KubeRest;
  credentials: PolicyCredentials;
  dryRun: boolean;
  now: Date;
  log: Logger;
  summary: SweepSummary;
  emit: (f: Finding) => void;
  tenants: Map<string, Tenant>;
  archives: Map<string, { s3: S3Client; archive: RegionArchive }>;
  audit: AuditTrails;
}

/** Lists every object of a cluster-scoped kind, page by page. */
async function listAll<T>(rest: KubeRest, kind: typeof TENANTS): Promise<T[]> {
  const items: T[] = [];
  let token: string | undefined;
  do {
    const page = await rest.request<{ items: T[]; metadata?: { continue?: string } }>('GET', resourcePath(kind), {
      query: { limit: 500, continue: token },
    });
    items.push(...page.items);
    token = page.metadata?.continue || undefined;
  } while (token);
  return items;
}

function failed(r: Run, what: string, e: unknown, fields: Record<string, unknown> = {}): void {
  r.summary.errors++;
  r.log.error(what, { ...fields, err: (e as Error).message });
  r.emit({ kind: 'error', what, ...fields, error: (e as Error).message });
}

/** Step 1: every Tenant evaluated; the lagging ones get the annotation that wakes the reconciler. */
async function sweepTenants(r: Run): Promise<void> {
  for (const t of r.tenants.values()) {
    const name = t.metadata.name!;
    const reasons = lagReasons(t, evaluate(t, r.now, r.config.lifecycle.durations), r.now);
    if (reasons.length === 0) continue;
    r.summary.lagging++;
    let nudged = false;
    if (!r.dryRun) {
      try {
        await r.rest.request('PATCH', resourcePath(TENANTS, undefined, name), {
          body: { metadata: { annotations: { [SWEEP_REQUESTED_ANNOTATION]: r.now.toISOString() } } },
          contentType: 'application/merge-patch+json',
          query: { fieldManager: SWEEP_MANAGER },
        });
        nudged = true;
        r.summary.nudged++;
      } catch (e) {
        failed(r, 'cannot nudge the reconciler', e, { tenant: name });
      }
    }
    r.log.warn('tenant lags its lifecycle', { event: 'sweep.lagging', tenant: name, reasons, nudged });
    r.emit({ kind: 'lagging', tenant: name, reasons, nudged });
  }
}

/** The archive of a region (receipts, audit records), through the lifecycle S3 endpoint. */
function archiveOf(r: Run, region: string): { s3: S3Client; archive: RegionArchive } {
  let a = r.archives.get(region);
  if (!a) {
    const rc = r.config.regions[region as keyof OperatorConfig['regions']];
    const s3 = createS3Client({ region, ...(r.config.lifecycle.s3Endpoint ? { endpoint: r.config.lifecycle.s3Endpoint } : {}) });
    const archive = new RegionArchive(s3, {
      region,
      ...(rc?.archiveBucket ? { bucket: rc.archiveBucket } : {}),
      ...(rc?.billingKmsKeyId ? { kmsKeyId: rc.billingKmsKeyId } : {}),
    });
    a = { s3, archive };
    r.archives.set(region, a);
  }
  return a;
}

/** The S3 client of a policy's destination, with the policy's credentials from the operator namespace. */
async function destinationClient(r: Run, p: BackupPolicy): Promise<S3Client> {
  const d = p.spec.destination;
  const ref = d.credentialsSecretRef;
  const data = ref ? await r.credentials.read(ref) : undefined;
  const credentials = data ? { accessKeyId: data['AWS_ACCESS_KEY_ID']!, secretAccessKey: data['AWS_SECRET_ACCESS_KEY']! } : undefined;
  return createS3Client({ region: d.region, ...(d.endpoint ? { endpoint: d.endpoint } : {}), ...(credentials ? { credentials } : {}) });
}

/** The facts about one prefix: its Tenant and the receipt that would prove its erasure. */
async function prefixFacts(r: Run, region: string, name: string): Promise<PrefixFacts> {
  const tenant = r.tenants.get(name);
  const { s3, archive } = archiveOf(r, region);
  if (!tenant) return { name, region, nameHasReceipt: isTenantName(name) && (await hasAnyReceipt(s3, archive.bucket, name)) };
  if (!erasedWithReceipt(tenant) || !tenant.metadata.uid || tenant.spec.region !== region) return { name, region, tenant };
  const receipt = await archive.readReceipt(name, tenant.metadata.uid);
  return { name, region, tenant, ...(receipt ? { receipt } : {}) };
}

/** Reads the Tenant again right before a deletion: still the same uid, still Erased with its receipt. */
async function stillErased(r: Run, name: string, uid: string): Promise<boolean> {
  try {
    const t = await r.rest.request<Tenant>('GET', resourcePath(TENANTS, undefined, name));
    return t.metadata.uid === uid && erasedWithReceipt(t);
  } catch (e) {
    if (e instanceof ApiError && e.code === 404) return false;
    throw e;
  }
}

/** Deletes an erased tenant's leftovers under one destination, with an audit record. */
async function deleteLeftovers(r: Run, s3: S3Client, p: BackupPolicy, name: string, uid: string, prefix: string): Promise<void> {
  const d = p.spec.destination;
  const base = { bucket: d.bucket, prefix: d.prefix, tenant: name };
  if (!r.dryRun && !(await stillErased(r, name, uid))) {
    r.summary.prefixes.unproven++;
    r.emit({
      kind: 'prefix',
      category: 'unproven',
      region: d.region,
      bucket: d.bucket,
      prefix,
      why: 'the Tenant changed during the sweep',
    });
    return;
  }
  let out: BackupErasure;
  try {
    out = await deleteTenantBackups(s3, { ...base, ...(d.prefix ? { prefix: d.prefix } : {}), dryRun: r.dryRun });
  } catch (e) {
    // Part of the prefix may be gone already: that is recorded too, then the error is reported as any other.
    if (!r.dryRun) {
      const details = { bucket: d.bucket, prefix, error: (e as Error).message };
      await r.audit
        .append({ actor: SWEEP_MANAGER, action: 'SweepDelete', tenant: name, uid, region: d.region, result: 'Failed', details })
        .catch((ae: unknown) =>
          r.log.error('cannot append the audit record of a failed deletion', { tenant: name, err: (ae as Error).message }),
        );
    }
    throw e;
  }
  // Some S3-compatible stores keep listing a folder whose objects are gone: an empty prefix is no
  // leftover, and a daily audit record of nothing would only bury the real ones.
  if (out.objects === 0 && out.uploadsAborted === 0) return;
  r.summary.prefixes.leftovers++;
  r.summary.objectsDeleted += out.objects;
  r.summary.bytesDeleted += out.bytes;
  if (!r.dryRun) {
    r.summary.prefixes.leftoversDeleted++;
    const details = { bucket: d.bucket, prefix: out.prefix, objects: out.objects, bytes: out.bytes, uploadsAborted: out.uploadsAborted };
    await r.audit.append({
      actor: SWEEP_MANAGER,
      action: 'SweepDelete',
      tenant: name,
      uid,
      region: d.region,
      result: 'Succeeded',
      details,
    });
  }
  r.log.info(r.dryRun ? 'would delete leftovers of an erased tenant' : 'deleted leftovers of an erased tenant', {
    event: 'sweep.leftovers',
    tenant: name,
    region: d.region,
    bucket: d.bucket,
    prefix,
    objects: out.objects,
    bytes: out.bytes,
  });
  r.emit({
    kind: 'prefix',
    category: 'leftovers',
    tenant: name,
    region: d.region,
    bucket: d.bucket,
    prefix,
    objects: out.objects,
    bytes: out.bytes,
    uploadsAborted: out.uploadsAborted,
    deleted: !r.dryRun,
  });
}

/** The policy whose destination (in the same bucket) lies inside `prefix`, if any. */
function destinationInside(all: BackupPolicy[], p: BackupPolicy, prefix: string): string | undefined {
  const d = p.spec.destination;
  const other = all.find((o) => {
    const od = o.spec.destination;
    return o !== p && od.bucket === d.bucket && (od.endpoint ?? '') === (d.endpoint ?? '') && destinationBase(od.prefix).startsWith(prefix);
  });
  return other?.metadata.name;
}

/** Step 2 for one destination: each tenant prefix decided and acted on. */
async function sweepDestination(r: Run, p: BackupPolicy, all: BackupPolicy[]): Promise<void> {
  const d = p.spec.destination;
  const s3 = await destinationClient(r, p);
  try {
    for (const { name, prefix } of await listTenantPrefixes(s3, d.bucket, destinationBase(d.prefix))) {
      const where = { region: d.region, bucket: d.bucket, prefix };
      try {
        const nested = destinationInside(all, p, prefix);
        const facts = nested === undefined ? await prefixFacts(r, d.region, name) : { name, region: d.region, holdsDestinationOf: nested };
        const decision = decidePrefix(facts);
        if (decision.action === 'keep') r.summary.prefixes.live++;
        else if (decision.action === 'delete') await deleteLeftovers(r, s3, p, decision.tenant, decision.uid, prefix);
        else {
          r.summary.prefixes[decision.category]++;
          if (decision.category === 'orphaned')
            r.summary.orphanedPrefixesByRegion[d.region] = (r.summary.orphanedPrefixesByRegion[d.region] ?? 0) + 1;
          r.log.warn(`${decision.category} backup prefix: reported, not deleted`, { event: 'sweep.orphan', ...where, why: decision.why });
          r.emit({ kind: 'prefix', category: decision.category, ...where, why: decision.why });
        }
      } catch (e) {
        failed(r, 'cannot sweep a backup prefix', e, where);
      }
    }
  } finally {
    s3.destroy();
  }
}

/** One entry per distinct destination of the configured regions (several policies may share one). */
function destinations(r: Run, policies: BackupPolicy[]): BackupPolicy[] {
  const seen = new Map<string, BackupPolicy>();
  for (const p of policies) {
    const d = p.spec.destination;
    if (!(d.region in r.config.regions)) {
      r.log.info('backup policy of a region this configuration does not serve: skipped', { policy: p.metadata.name, region: d.region });
      continue;
    }
    const key = [d.endpoint ?? '', d.region, d.bucket, destinationBase(d.prefix), d.credentialsSecretRef?.name ?? ''].join('|');
    if (!seen.has(key)) seen.set(key, p);
  }
  return [...seen.values()];
}

/** Step 3: the tenant key aliases of each configured region; orphans are reported, no key is touched. */
async function sweepKeys(r: Run, region: string): Promise<void> {
  const kms = new KMSClient({ region, ...(r.config.lifecycle.kmsEndpoint ? { endpoint: r.config.lifecycle.kmsEndpoint } : {}) });
  try {
    for (const a of await listTenantAliases(kms)) {
      const tenant = r.tenants.get(a.name);
      const { s3, archive } = archiveOf(r, region);
      const hasReceipt = !tenant && isTenantName(a.name) && (await hasAnyReceipt(s3, archive.bucket, a.name));
      const decision = decideAlias({ name: a.name, ...(tenant ? { tenant } : {}), hasReceipt });
      r.summary.keys[decision.category]++;
      if (decision.category !== 'orphaned') continue;
      const fields = { region, alias: a.alias, keyId: a.targetKeyId ?? null, why: decision.why };
      r.log.warn('tenant key alias of no tenant: reported, not deleted', { event: 'sweep.orphan', ...fields });
      r.emit({ kind: 'key', category: 'orphaned', ...fields });
    }
  } catch (e) {
    failed(r, 'cannot list the tenant key aliases', e, { region });
  } finally {
    kms.destroy();
  }
}

function configOf(flags: SweepFlags, log: Logger): OperatorConfig {
  if (flags.config) return loadConfigFile(flags.config);
  log.warn('no --config given: built-in defaults, which serve no region (only the tenants are swept)');
  return parseConfig(defaultConfig());
}

function kubeRest(flags: SweepFlags): KubeRest {
  const kc = new KubeConfig();
  if (flags.kubeconfig) kc.loadFromFile(flags.kubeconfig);
  else kc.loadFromDefault();
  return new KubeRest(kc);
}

/** The summary as the last line: human text, or one JSON object. */
function summaryLine(s: SweepSummary, json: boolean): string {
  if (json) return JSON.stringify({ kind: 'summary', ...s });
  const p = s.prefixes;
  const orphanRegions = Object.entries(s.orphanedPrefixesByRegion).map(([region, n]) => `${region}=${n}`);
  return (
    `sweep${s.dryRun ? ' (dry run)' : ''}: ${s.tenants} tenants, ${s.lagging} lagging, ${s.nudged} nudged; ` +
    `prefixes: ${p.live} live, ${p.leftovers} leftovers (${p.leftoversDeleted} deleted, ${s.objectsDeleted} objects, ${s.bytesDeleted} bytes), ` +
    `${p.orphaned} orphaned${orphanRegions.length ? ` (${orphanRegions.join(', ')})` : ''}, ${p.unproven} unproven; ` +
    `keys: ${s.keys.live} live, ${s.keys.erased} erased, ${s.keys.orphaned} orphaned; ${s.errors} errors`
  );
}

/** One finding as a human line. */
function findingLine(f: Finding): string {
  const { kind, ...rest } = f;
  return `${kind}: ${Object.entries(rest)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ')}`;
}

/** Where the command writes and its clock (tests fix them). */
export interface SweepIo {
  stdout: (text: string) => void;
  clock: () => Date;
}

const processIo: SweepIo = { stdout: (t) => process.stdout.write(t), clock: () => new Date() };

/** Runs every step of one sweep; errors of one item are counted and the sweep goes on. */
async function sweep(r: Run): Promise<void> {
  for (const t of await listAll<Tenant>(r.rest, TENANTS)) r.tenants.set(t.metadata.name!, t);
  r.summary.tenants = r.tenants.size;
  await sweepTenants(r);
  const policies = await listAll<BackupPolicy>(r.rest, POLICIES);
  for (const p of destinations(r, policies)) {
    try {
      await sweepDestination(r, p, policies);
    } catch (e) {
      failed(r, 'cannot sweep a backup destination', e, { policy: p.metadata.name, bucket: p.spec.destination.bucket });
    }
  }
  for (const region of Object.keys(r.config.regions)) await sweepKeys(r, region);
}

/** Runs `tenantry sweep`; resolves with the exit code: 0 when it ran, 1 on errors, 64 on usage errors. */
export async function sweepCommand(flags: SweepFlags, positionals: string[], io: SweepIo = processIo): Promise<number> {
  const log = createLogger(flags['log-level'] ?? 'info');
  setLogger(log);
  const output = flags.output ?? 'table';
  let config: OperatorConfig;
  try {
    if (positionals.length > 0) throw new Error(`unexpected argument ${positionals.join(' ')}`);
    if (output !== 'table' && output !== 'json') throw new Error(`-o must be table or json (got "${output}")`);
    config = configOf(flags, log);
  } catch (e) {
    // Bad flags, an unreadable or invalid configuration: nothing was looked at.
    process.stderr.write(`tenantry sweep: ${e instanceof ConfigError ? e.problems.join('; ') : (e as Error).message}\n`);
    return EXIT_USAGE;
  }
  const json = output === 'json';
  const rest = kubeRest(flags);
  const namespace = flags.namespace ?? process.env.POD_NAMESPACE ?? 'tenantry-system';
  const dryRun = flags['dry-run'] === true || config.lifecycle.dryRun;
  const r: Run = {
    config,
    rest,
    credentials: new PolicyCredentials(namespace, async (ns, name) => {
      const s = await rest.request<{ data?: Record<string, string> }>(
        'GET',
        resourcePath({ apiVersion: 'v1', plural: 'secrets', namespaced: true }, ns, name),
      );
      return Object.fromEntries(Object.entries(s.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));
    }),
    dryRun,
    now: io.clock(),
    log,
    summary: emptySummary(dryRun),
    emit: (f) => io.stdout(`${json ? JSON.stringify(f) : findingLine(f)}\n`),
    tenants: new Map(),
    archives: new Map(),
    audit: new AuditTrails(
      (region) => archiveOf(r, region).s3,
      (region) => {
        const rc = config.regions[region as keyof OperatorConfig['regions']];
        return {
          ...(rc?.archiveBucket ? { bucket: rc.archiveBucket } : {}),
          ...(rc?.billingKmsKeyId ? { kmsKeyId: rc.billingKmsKeyId } : {}),
          retentionDays: config.lifecycle.auditRetentionDays,
        };
      },
    ),
  };
  try {
    await sweep(r);
  } catch (e) {
    failed(r, 'the sweep stopped', e);
  } finally {
    for (const a of r.archives.values()) a.s3.destroy();
    rest.close();
  }
  io.stdout(`${summaryLine(r.summary, json)}\n`);
  return r.summary.errors > 0 ? 1 : 0;
}
