// Waits for N tenants to report Reconciled by watching them, not by listing: a list of a thousand
// Tenants every two seconds costs the API server more CPU than the watch the operator already has,
// and on two cores that load would land in the operator's measurement window.
import { Watch, type KubeConfig } from '@kubernetes/client-node';
import type { Tenant } from '../src/api/generated/index.js';

/** Resolves with the wall time at which all `n` tenants matching `labelSelector` were Reconciled. */
export class ConvergenceWatch {
  private readonly reconciled = new Map<string, boolean>();
  private resourceVersion: string | undefined;
  private stopped = false;
  private abort: AbortController | undefined;
  private settle: ((at: number) => void) | undefined;
  private fail: ((e: Error) => void) | undefined;
  readonly done: Promise<number>;

  constructor(
    private readonly kc: KubeConfig,
    private readonly labelSelector: string,
    private readonly n: number,
  ) {
    this.done = new Promise<number>((resolve, reject) => {
      this.settle = resolve;
      this.fail = reject;
    });
  }

  /** Number of tenants seen Reconciled so far. */
  count(): number {
    let c = 0;
    for (const v of this.reconciled.values()) if (v) c++;
    return c;
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
        this.resourceVersion = obj.metadata?.resourceVersion ?? this.resourceVersion;
        if (type === 'BOOKMARK') return;
        if (type === 'ERROR') return this.fail?.(new Error(`tenant watch failed: ${JSON.stringify(obj)}`));
        const name = obj.metadata?.name ?? '';
        if (type === 'DELETED') this.reconciled.delete(name);
        else this.reconciled.set(name, obj.status?.conditions?.some((c) => c.type === 'Reconciled' && c.status === 'True') ?? false);
        if (this.count() === this.n) {
          this.stop();
          this.settle?.(performance.now());
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
