// The lifecycle metrics of one tenant, from its status as the cache holds it after a pass.
import type { Tenant } from '../api/generated/index.js';
import { lifecycleNextTransitionTimestamp } from '../metrics.js';

/** The step each tenant's next-transition series was last set for, so a changed step replaces its series. */
const lastStep = new Map<string, string>();

/** Sets (or clears) tenantry_lifecycle_next_transition_timestamp_seconds{tenant,step} from status.lifecycle.next/nextAt. */
export function recordLifecycleMetrics(name: string, tenant: Tenant | undefined): void {
  const lc = tenant?.status?.lifecycle;
  const at = lc?.nextAt ? new Date(lc.nextAt).getTime() : NaN;
  const step = lc?.next;
  const previous = lastStep.get(name);
  if (previous !== undefined && previous !== step) lifecycleNextTransitionTimestamp.remove({ tenant: name, step: previous });
  if (!step || !Number.isFinite(at)) {
    lastStep.delete(name);
    return;
  }
  lastStep.set(name, step);
  lifecycleNextTransitionTimestamp.set({ tenant: name, step }, at / 1000);
}
