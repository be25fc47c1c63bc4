// Records when each of a set of tenants is first seen in a lifecycle phase, by watching the
// Tenants: the arrival time of the watch event is when a client of the API server (kubectl, a
// dashboard, the billing system) can first see the transition.
import { Watch, type KubeConfig } from '@kubernetes/client-node';
import type { Tenant } from '../src/api/generated/index.js';
import type { LifecyclePhase } from '../src/lifecycle/types.js';

/** The first sighting of a tenant in the phase: wall time (ms since the epoch) and the status.lifecycle it showed. */
export interface Sighting {
  at: number;
  since: string | undefined;
  reason: string | undefined;
}

/** Watches Tenants matching a label selector and resolves `done` once every named tenant was seen in `phase`. */
export class TransitionWatch {
  private readonly seen = new Map<string, Sighting>();
  private resourceVersion: string | undefined;
  private stopped = false;
  private abort: AbortController | undefined;
  private settle: (() => void) | undefined;
  private fail: ((e: Error) => void) | undefined;
  readonly done: Promise<void>;

  constructor(
    private readonly kc: KubeConfig,
    private readonly labelSelector: string,
    private readonly names: ReadonlySet<string>,
    private readonly phase: LifecyclePhase,
  ) {
    this.done = new Promise<void>((resolve, reject) => {
      this.settle = resolve;
      this.fail = reject;
    });
  }

  /** The tenants seen in the phase so far, by name. */
  sightings(): ReadonlyMap<string, Sighting> {
    return this.seen;
  }

  /** Opens the watch (from now, or from the last event seen after the API server closed it). */
  async start(): Promise<void> {
    const query = {
      labelSelector: this.labelSelector,
      allowWatchBookmarks: true,
      ...(this.resourceVersion ? { resourceVersion: this.resourceVersion } : {}),
    };
    this.abort = await new Watch(this.kc).watch(
      '/apis/tenantry.io/v1alpha1/tenants',
      query,
      (type, obj: Tenant) => {
        // Taken first: the arrival time is the measurement.
        const at = Date.now();
        this.resourceVersion = obj.metadata?.resourceVersion ?? this.resourceVersion;
        if (type === 'BOOKMARK') return;
        if (type === 'ERROR') return this.fail?.(new Error(`tenant watch failed: ${JSON.stringify(obj)}`));
        const name = obj.metadata?.name ?? '';
        const lifecycle = obj.status?.lifecycle;
        if (!this.names.has(name) || this.seen.has(name) || lifecycle?.phase !== this.phase) return;
        this.seen.set(name, { at, since: lifecycle.since, reason: lifecycle.reason });
        if (this.seen.size === this.names.size) {
          this.stop();
          this.settle?.();
        }
      },
      (err: unknown) => {
        if (this.stopped) return;
        if (err) return this.fail?.(err instanceof Error ? err : new Error(String(err)));
        // The API server ends watches after its timeout; carry on from the last event.
        this.start().catch((e: unknown) => this.fail?.(e instanceof Error ? e : new Error(String(e))));
      },
    );
  }

  stop(): void {
    this.stopped = true;
    this.abort?.abort();
  }
}
