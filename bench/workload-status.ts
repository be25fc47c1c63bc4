// Stands in for the kubelets and the workload controllers in a benchmark without nodes: it writes
// the status of the operator's Deployments and StatefulSets as the deployment and statefulset
// controllers would once every pod of the current spec is up, so a tenant can become Ready. Driven
// by a watch, it answers every change of a workload's spec (a new generation) with one status write.
import { Watch, type KubeConfig } from '@kubernetes/client-node';
import type { Deployment, StatefulSet } from 'kubernetes-types/apps/v1.js';
import { OWNED_SELECTOR } from '../src/api/names.js';
import { KubeRest } from '../src/runtime/rest.js';

/** A Deployment or a StatefulSet as the watch delivers it. */
export type Workload = (Deployment | StatefulSet) & { kind?: string };

type Plural = 'deployments' | 'statefulsets';

/** Reports whether the workload's status already shows every replica of its current generation up. */
export function answered(plural: Plural, w: Workload): boolean {
  const want = w.spec?.replicas ?? 1;
  const s = w.status;
  if (!s || s.observedGeneration !== w.metadata?.generation) return false;
  if (s.replicas !== want || s.updatedReplicas !== want || s.readyReplicas !== want || s.availableReplicas !== want) return false;
  if (plural === 'deployments') return true;
  const sts = s as NonNullable<StatefulSet['status']>;
  return !!sts.updateRevision && sts.currentRevision === sts.updateRevision;
}

/** The status the controllers would write for a workload whose pods of the current spec all run. */
function readyStatus(plural: Plural, w: Workload): Record<string, unknown> {
  const n = w.spec?.replicas ?? 1;
  const status: Record<string, unknown> = {
    observedGeneration: w.metadata?.generation,
    replicas: n,
    updatedReplicas: n,
    readyReplicas: n,
    availableReplicas: n,
  };
  if (plural === 'statefulsets') {
    // The controller names a revision after a hash of the pod template; the generation identifies the template as well here.
    const revision = `${w.metadata?.name}-g${w.metadata?.generation}`;
    Object.assign(status, { currentReplicas: n, currentRevision: revision, updateRevision: revision });
  }
  return status;
}

const key = (plural: Plural, w: Workload) => `${plural}/${w.metadata?.namespace}/${w.metadata?.name}`;

/** Watches the operator's workloads and marks each new generation ready, with at most `concurrency` writes in flight. */
export class WorkloadStatusStandIn {
  /** Latest object seen per `plural/namespace/name`. */
  readonly latest = new Map<string, { plural: Plural; obj: Workload }>();
  /** Status writes made (each answers one new generation of a workload). */
  writes = 0;
  failures = 0;
  private readonly queue = new Set<string>();
  private running = 0;
  private stopped = false;
  private readonly aborts: AbortController[] = [];
  private readonly rest: KubeRest;

  constructor(
    private readonly kc: KubeConfig,
    private readonly concurrency = 8,
  ) {
    this.rest = new KubeRest(kc);
  }

  async start(): Promise<void> {
    await this.watch('deployments');
    await this.watch('statefulsets');
  }

  /** Number of workloads of a kind whose latest object satisfies `pred`. */
  count(plural: Plural, pred: (w: Workload) => boolean): number {
    let n = 0;
    for (const { plural: p, obj } of this.latest.values()) if (p === plural && pred(obj)) n++;
    return n;
  }

  /** Whether no write is queued or in flight. */
  idle(): boolean {
    return this.queue.size === 0 && this.running === 0;
  }

  stop(): void {
    this.stopped = true;
    for (const a of this.aborts) a.abort();
    this.rest.close();
  }

  private async watch(plural: Plural, resourceVersion?: string): Promise<void> {
    let rv = resourceVersion;
    const query = { labelSelector: OWNED_SELECTOR, allowWatchBookmarks: true, ...(rv ? { resourceVersion: rv } : {}) };
    const abort = await new Watch(this.kc).watch(
      `/apis/apps/v1/${plural}`,
      query,
      (type, obj: Workload) => {
        rv = obj.metadata?.resourceVersion ?? rv;
        if (type === 'BOOKMARK' || type === 'ERROR') return;
        const k = key(plural, obj);
        if (type === 'DELETED') return void this.latest.delete(k);
        this.latest.set(k, { plural, obj });
        if (!answered(plural, obj)) this.enqueue(k);
      },
      (err: unknown) => {
        if (this.stopped) return;
        if (err) process.stderr.write(`[workload-status] ${plural} watch ended: ${String(err)}; reopening\n`);
        // The API server ends watches after its timeout; carry on from the last event (a fresh list if that is too old).
        const reopen = () =>
          this.watch(plural, err ? undefined : rv).catch((e: unknown) => process.stderr.write(`[workload-status] ${String(e)}\n`));
        if (err) setTimeout(() => void (this.stopped || reopen()), 1000);
        else void reopen();
      },
    );
    this.aborts.push(abort);
  }

  private enqueue(k: string): void {
    this.queue.add(k);
    this.pump();
  }

  private pump(): void {
    while (!this.stopped && this.running < this.concurrency && this.queue.size > 0) {
      const k = this.queue.values().next().value!;
      this.queue.delete(k);
      this.running++;
      this.write(k)
        .catch((e: unknown) => {
          this.failures++;
          process.stderr.write(`[workload-status] ${k}: ${e instanceof Error ? e.message : String(e)}\n`);
        })
        .finally(() => {
          this.running--;
          this.pump();
        });
    }
  }

  private async write(k: string): Promise<void> {
    const entry = this.latest.get(k);
    if (!entry || answered(entry.plural, entry.obj)) return;
    const { plural, obj } = entry;
    const path = `/apis/apps/v1/namespaces/${obj.metadata!.namespace}/${plural}/${obj.metadata!.name}/status`;
    this.writes++;
    await this.rest.request('PATCH', path, { body: { status: readyStatus(plural, obj) }, contentType: 'application/merge-patch+json' });
  }
}
