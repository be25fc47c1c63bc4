// The BackupPolicy reconciler: each policy's status (the tenants it covers, its last and next run)
// is written where it changed. The status itself is a pure function (policy-status.ts).
import type { BackupPolicy, BackupPolicyStatus, Tenant } from '../api/generated/index.js';
import type { OperatorConfig } from '../config.js';
import { getLogger } from '../log.js';
import { buildContext, isBuildContextError } from '../resources/index.js';
import { policyNameFor } from './backup-step.js';
import { computePolicyStatus, policyStatusChanged } from './policy-status.js';

/** Everything a policy status pass needs; `now` is passed in so tests fix the time. */
export interface PolicyStatusDeps {
  config: OperatorConfig;
  policies: BackupPolicy[];
  tenants: Tenant[];
  writer: { patchPolicyStatus(name: string, status: BackupPolicyStatus): Promise<void> };
  now: Date;
}

/** Writes every BackupPolicy's status where it changed; a failed write is logged and tried again on the next pass. */
export async function reconcilePolicyStatuses(deps: PolicyStatusDeps): Promise<void> {
  const { policies, writer, now } = deps;
  if (policies.length === 0) return;
  const counts = new Map<string, number>();
  for (const t of deps.tenants) {
    const ctx = buildContext(t, deps.config);
    const name = isBuildContextError(ctx) ? undefined : policyNameFor(ctx);
    if (name) counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  for (const p of policies) {
    const status = computePolicyStatus(p, counts.get(p.metadata?.name ?? '') ?? 0, now);
    if (!policyStatusChanged(p, status)) continue;
    try {
      await writer.patchPolicyStatus(p.metadata?.name ?? '', status);
    } catch (e) {
      getLogger().warn('could not write BackupPolicy status', {
        policy: p.metadata?.name,
        err: e instanceof Error ? e.message : String(e),
      });
    }
  }
}
