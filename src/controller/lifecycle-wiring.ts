// Builds the lifecycle enforcement the operator runs from its configuration: the engine bound to
// the configured durations, the erasure runner with its real effects (archive bucket, KMS, backup
// bucket, namespace), the audit trail and the per-tenant KMS keys. Kept apart from operator.ts so
// that the operator only wires, and from the effects so they stay testable one by one.
import { KMSClient } from '@aws-sdk/client-kms';
import type { S3Client } from '@aws-sdk/client-s3';
import type { BackupPolicy, Tenant } from '../api/generated/index.js';
import { createS3Client } from '../cloud/s3.js';
import { ensureTenantKey } from '../cloud/tenant-key.js';
import type { OperatorConfig } from '../config.js';
import { getLogger } from '../log.js';
import { evaluate } from '../lifecycle/engine.js';
import { NamespaceEraser, type RestClient } from '../lifecycle/namespace-erasure.js';
import type { LifecycleEvaluation } from '../lifecycle/types.js';
import type { ClusterView, ClusterWriter } from './cluster.js';
import { ErasureRunner } from './erasure.js';
import { archiveOf, OperatorErasureEffects, type LifecycleClients } from './erasure-effects.js';
import type { AuditHook, ErasureRunner as ErasureHook, EvaluateLifecycle, TenantKeys } from './lifecycle-step.js';

/** How long an erasure that cannot start (no archive configured) waits before it is looked at again. */
export const ERASURE_UNCONFIGURED_RECHECK_MS = 5 * 60_000;

/** What the operator hands the lifecycle: its caches, its writer, its REST client and the policies' S3 clients. */
export interface LifecycleParts {
  view: () => ClusterView;
  writer: ClusterWriter;
  rest: RestClient;
  backupS3: (policy: BackupPolicy) => Promise<S3Client>;
}

/** The lifecycle the operator enforces. */
export interface OperatorLifecycle {
  evaluate: EvaluateLifecycle;
  erasure?: ErasureHook;
  audit?: AuditHook;
  tenantKeys?: TenantKeys;
}

/** AWS clients per region, created once, against the configured endpoints (real AWS when unset). */
function regionClients(config: OperatorConfig, backupS3: (policy: BackupPolicy) => Promise<S3Client>): LifecycleClients {
  const s3 = new Map<string, S3Client>();
  const kms = new Map<string, KMSClient>();
  const { s3Endpoint, kmsEndpoint } = config.lifecycle;
  return {
    archiveS3: (region) => {
      let c = s3.get(region);
      if (!c) s3.set(region, (c = createS3Client({ region, ...(s3Endpoint ? { endpoint: s3Endpoint } : {}) })));
      return c;
    },
    kms: (region) => {
      let c = kms.get(region);
      if (!c) kms.set(region, (c = new KMSClient({ region, maxAttempts: 3, ...(kmsEndpoint ? { endpoint: kmsEndpoint } : {}) })));
      return c;
    },
    backupS3,
  };
}

/** Returns the lifecycle of the configuration, built on the operator's parts. */
export function lifecycleFromConfig(config: OperatorConfig, parts: LifecycleParts): OperatorLifecycle {
  const durations = config.lifecycle.durations;
  const clients = regionClients(config, parts.backupS3);
  const effects = new OperatorErasureEffects({
    config,
    view: parts.view,
    writer: parts.writer,
    clients,
    namespaces: new NamespaceEraser(parts.rest),
  });
  const runner = new ErasureRunner({ writer: parts.writer, effects, now: () => new Date(), dryRun: config.lifecycle.dryRun });
  const erasure: ErasureHook = {
    run: async (tenant: Tenant, evaluation: LifecycleEvaluation) => {
      // Nothing is deleted unless the receipt and the audit records can be kept afterwards.
      const archive = archiveOf(config, tenant);
      if (!tenant.status?.lifecycle?.erasure?.startedAt && 'error' in archive) {
        getLogger().warn('erasure due but not started', { tenant: tenant.metadata.name, reason: archive.error });
        return { erased: false, requeueAfterMs: ERASURE_UNCONFIGURED_RECHECK_MS };
      }
      return runner.run(tenant, evaluation);
    },
    progress: (uid) => runner.progress(uid),
  };
  const audit: AuditHook = async (r) => {
    const tenant = parts.view().tenant(r.tenant);
    if (!tenant || 'error' in archiveOf(config, tenant)) return;
    await effects.auditTransition({
      at: new Date(r.at),
      actor: r.actor,
      action: r.action,
      tenant: r.tenant,
      uid: r.uid,
      region: tenant.spec.region,
      result: 'Succeeded',
      details: r.details,
    });
  };
  const tenantKeys: TenantKeys | undefined = config.lifecycle.tenantKmsKeys
    ? {
        ensure: async (tenant) => {
          const k = await ensureTenantKey(clients.kms(tenant.spec.region), {
            tenant: tenant.metadata.name ?? '',
            uid: tenant.metadata.uid ?? '',
            region: tenant.spec.region,
          });
          return k.keyArn;
        },
      }
    : undefined;
  return {
    evaluate: (t, now) => evaluate(t, now, durations),
    erasure,
    audit,
    ...(tenantKeys ? { tenantKeys } : {}),
  };
}
