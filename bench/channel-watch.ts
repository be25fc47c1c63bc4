// Follows one ReleaseChannel's status through a watch and tells when a condition on it first held,
// so a benchmark times a rollout's waves as they are seen, without listing anything.
import { Watch, type KubeConfig } from '@kubernetes/client-node';
import type { ReleaseChannel, ReleaseChannelStatus } from '../src/api/generated/index.js';

interface Waiter {
  pred: (s: ReleaseChannelStatus) => boolean;
  resolve: (at: number) => void;
}

/** The latest status of one channel, and promises of the moments conditions on it first hold. */
export class ChannelWatch {
  status: ReleaseChannelStatus = {};
  /** Status writes of the channel seen (each MODIFIED event that changed the status). */
  statusChanges = 0;
  private waiters: Waiter[] = [];
  private stopped = false;
  private abort: AbortController | undefined;
  private resourceVersion: string | undefined;

  constructor(
    private readonly kc: KubeConfig,
    private readonly name: string,
  ) {}

  async start(): Promise<void> {
    const query = {
      fieldSelector: `metadata.name=${this.name}`,
      allowWatchBookmarks: true,
      ...(this.resourceVersion ? { resourceVersion: this.resourceVersion } : {}),
    };
    this.abort = await new Watch(this.kc).watch(
      '/apis/tenantry.io/v1alpha1/releasechannels',
      query,
      (type, obj: ReleaseChannel) => {
        this.resourceVersion = obj.metadata?.resourceVersion ?? this.resourceVersion;
        if (type !== 'ADDED' && type !== 'MODIFIED') return;
        const next = obj.status ?? {};
        if (JSON.stringify(next) !== JSON.stringify(this.status)) this.statusChanges++;
        this.status = next;
        this.check();
      },
      (err: unknown) => {
        if (this.stopped) return;
        if (err) this.resourceVersion = undefined;
        this.start().catch((e: unknown) => process.stderr.write(`[channel-watch] ${String(e)}\n`));
      },
    );
  }

  /** Resolves with performance.now() of the first status that satisfies `pred` (now, if the current one does). */
  when(pred: (s: ReleaseChannelStatus) => boolean): Promise<number> {
    if (pred(this.status)) return Promise.resolve(performance.now());
    return new Promise((resolve) => this.waiters.push({ pred, resolve }));
  }

  stop(): void {
    this.stopped = true;
    this.abort?.abort();
  }

  private check(): void {
    const at = performance.now();
    this.waiters = this.waiters.filter((w) => {
      if (!w.pred(this.status)) return true;
      w.resolve(at);
      return false;
    });
  }
}
