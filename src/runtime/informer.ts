// A list-watch cache of one kind that keeps itself alive. The informer of @kubernetes/client-node
// 1.4 stops for good on any watch error other than 410 Gone, cannot tell a connection that went
// silent (a half-open TCP connection after a network blip) from a quiet resource, calls `error`
// handlers when it is merely stopped, and swallows exceptions thrown by event handlers. This
// wrapper restarts it with jittered backoff on errors, restarts it when nothing (no event, no
// successful (re)connection) was seen for `watchdogMs`, keeps its own cache across restarts so a
// re-list reports exactly what changed meanwhile, and logs every failure with the kind.
import {
  ListWatch,
  Watch,
  type KubeConfig,
  type KubernetesListObject,
  type KubernetesObject,
  type ListPromise,
} from '@kubernetes/client-node';
import { getLogger, type Logger } from '../log.js';
import { watchRestartsTotal } from '../metrics.js';
import { backoffDelay, validateBackoff, type BackoffOptions } from './backoff.js';
import { realClock, type Clock, type Timer } from './clock.js';

/** The object events an informer reports. */
export type InformerEvent = 'add' | 'update' | 'delete';

/** A handler of informer events; `old` is the previous state on `update`. */
export type InformerHandler<T> = (obj: T, old?: T) => void;

/**
 * Lists a collection, passing each item through `shape` as it arrives (the informer's transform,
 * or the identity without one). A paged list that shapes each page as it comes never holds every
 * full object of the kind at once; the informer does not shape the returned items again.
 */
export type ShapingListFn<T extends KubernetesObject> = (shape: (obj: T) => T) => Promise<KubernetesListObject<T>>;

/** Options of a ResilientInformer. */
export interface ResilientInformerOptions<T extends KubernetesObject> {
  kubeConfig: KubeConfig;
  /** Kind for logs and the `tenantry_watch_restarts_total{kind}` metric, e.g. "Tenant". */
  kind: string;
  /** Collection path to watch, e.g. "/apis/tenantry.io/v1alpha1/tenants" or "/api/v1/namespaces/x/configmaps". */
  path: string;
  /** Lists the collection, items shaped with the `shape` it is given; must apply the same labelSelector as the watch. */
  listFn: ShapingListFn<T>;
  /** Label selector of the watch, e.g. "app.kubernetes.io/managed-by=tenantry". */
  labelSelector?: string;
  /**
   * Restart (and re-list) when no event and no successful watch (re)connection was seen for this
   * long. Must exceed watchTimeoutSeconds, since a quiet watch only shows life when it reconnects.
   * Default 11 minutes.
   */
  watchdogMs?: number;
  /** The API server ends each watch after this long and the informer reconnects; a heartbeat. Default 300. */
  watchTimeoutSeconds?: number;
  /** Backoff of restarts after errors. Default base 1 s, max 60 s. */
  backoff?: BackoffOptions;
  /** isLive() stays true this long after the watch disconnected, covering a reconnect. Default 30 s. */
  liveGraceMs?: number;
  clock?: Clock;
  random?: () => number;
  /**
   * Shapes each object before it is cached and handed to handlers, e.g. to drop managedFields or
   * secret data the operator never reads (memory), or to add the apiVersion/kind list items lack.
   */
  transform?: (obj: T) => T;
}

/** One attempt of list + watch; a restart replaces it with a new one, so late events of an old one are ignored. */
interface Generation<T extends KubernetesObject> {
  id: number;
  informer: ListWatch<T>;
  watch: TrackedWatch;
}

/** Hooks TrackedWatch reports the life of its connections to. */
interface WatchHooks {
  onConnected(): void;
  onEvent(): void;
  onClosed(): void;
  /** Shapes each watched object before client-node's ListWatch caches it. */
  shape(obj: unknown): unknown;
}

/**
 * A Watch that reports connections and events, asks the server to end each watch after a timeout
 * (so a healthy but quiet watch still reconnects now and then) and can abort all its requests,
 * including one whose response had not arrived yet when the informer was stopped: ListWatch only
 * keeps the controller of a request once its response headers are in, so its stop() misses those.
 */
class TrackedWatch extends Watch {
  private closed = false;
  private readonly controllers = new Set<AbortController>();

  constructor(
    kubeConfig: KubeConfig,
    private readonly timeoutSeconds: number,
    private readonly hooks: WatchHooks,
  ) {
    super(kubeConfig);
  }

  override async watch(
    path: string,
    queryParams: Record<string, string | number | boolean | undefined>,
    callback: (phase: string, apiObj: unknown, watchObj?: unknown) => void,
    done: (err: unknown) => void,
  ): Promise<AbortController> {
    if (this.closed) {
      const aborted = new AbortController();
      aborted.abort();
      return aborted;
    }
    let ended = false;
    // `done` may run before super.watch() returns (a failed request), so the controller is
    // reached through a holder filled in afterwards rather than a const still in its TDZ.
    const ref: { controller?: AbortController } = {};
    const onDone = (err: unknown): void => {
      ended = true;
      if (ref.controller) this.controllers.delete(ref.controller);
      this.hooks.onClosed();
      done(err);
    };
    const params = { ...queryParams, timeoutSeconds: this.timeoutSeconds, allowWatchBookmarks: true };
    let controller: AbortController;
    try {
      controller = await super.watch(
        path,
        params,
        (phase, obj, raw) => {
          this.hooks.onEvent();
          callback(phase, this.hooks.shape(obj), raw);
        },
        onDone,
      );
    } catch (err) {
      // Watch.watch() throws (rather than calling done) when it cannot even build the request,
      // e.g. credentials from an exec plugin failed. On a reconnect nobody awaits that promise,
      // so the throw would be an unhandled rejection that kills the process: report it as done.
      const failed = new AbortController();
      failed.abort();
      onDone(err);
      return failed;
    }
    ref.controller = controller;
    if (this.closed) controller.abort();
    else if (!ended) {
      this.controllers.add(controller);
      this.hooks.onConnected();
    }
    return controller;
  }

  /** Aborts every open watch and any that connects later. */
  close(): void {
    this.closed = true;
    for (const c of this.controllers) c.abort();
    this.controllers.clear();
  }
}

/** The cache key of an object: "namespace/name", or "name" for cluster-scoped objects. */
function cacheKey(obj: KubernetesObject): string {
  const { name = '', namespace } = obj.metadata ?? {};
  return namespace ? `${namespace}/${name}` : name;
}

/** A list-watch cache of one kind that restarts on errors and silence and never crashes the process. */
export class ResilientInformer<T extends KubernetesObject> {
  private readonly kind: string;
  private readonly watchdogMs: number;
  private readonly watchTimeoutSeconds: number;
  private readonly backoff: BackoffOptions;
  private readonly liveGraceMs: number;
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly handlers: Record<InformerEvent, InformerHandler<T>[]> = { add: [], update: [], delete: [] };
  /** This wrapper's cache, kept across restarts (each restart starts a fresh ListWatch). */
  private readonly cache = new Map<string, T>();
  /** Cache keys by namespace, so listing one namespace does not scan every object. */
  private readonly byNamespace = new Map<string, Set<string>>();

  private state: 'new' | 'running' | 'stopped' = 'new';
  private generation: Generation<T> | undefined;
  private lastId = 0;
  private failures = 0;
  private restartTimer: Timer | undefined;
  private watchdogTimer: Timer | undefined;
  /** Last sign of life: an event, a successful list or connection, or a (re)start. */
  private lastActivity = 0;
  private connected = false;
  /** Since when the cache may be missing events: the first list, or the end of a connected watch. */
  private staleSince = 0;
  private listedOnce = false;
  private startWaiters: { resolve: () => void; reject: (err: Error) => void }[] = [];
  private startPromise: Promise<void> | undefined;

  /** Creates the informer; nothing is listed or watched until start(). */
  constructor(private readonly options: ResilientInformerOptions<T>) {
    this.kind = options.kind;
    this.watchTimeoutSeconds = options.watchTimeoutSeconds ?? 300;
    this.watchdogMs = options.watchdogMs ?? (2 * this.watchTimeoutSeconds + 60) * 1000;
    this.backoff = options.backoff ?? { baseMs: 1000, maxMs: 60_000 };
    validateBackoff(this.backoff, `informer for ${this.kind}`);
    this.liveGraceMs = options.liveGraceMs ?? 30_000;
    this.clock = options.clock ?? realClock;
    this.random = options.random ?? Math.random;
    if (!(this.watchdogMs > 0) || !(this.watchTimeoutSeconds > 0)) {
      throw new Error(`informer for ${this.kind}: watchdogMs and watchTimeoutSeconds must be positive`);
    }
  }

  /** Registers a handler for added, updated or deleted objects (cached: do not modify); exceptions it throws are logged. */
  on(event: InformerEvent, handler: InformerHandler<T>): void {
    this.handlers[event].push(handler);
  }

  /** Removes a handler registered with on(). */
  off(event: InformerEvent, handler: InformerHandler<T>): void {
    const list = this.handlers[event];
    const i = list.indexOf(handler);
    if (i >= 0) list.splice(i, 1);
  }

  /** Starts listing and watching; resolves after the first successful list, rejects if stop() comes first. */
  start(): Promise<void> {
    if (this.startPromise) return this.startPromise;
    if (this.state === 'stopped') return Promise.reject(new Error(`informer for ${this.kind} was stopped`));
    this.state = 'running';
    this.startPromise = new Promise<void>((resolve, reject) => this.startWaiters.push({ resolve, reject }));
    // A caller that did not await start() must not crash the process when stop() rejects it.
    this.startPromise.catch(() => undefined);
    this.launch();
    this.armWatchdog();
    return this.startPromise;
  }

  /** Stops watching for good; the cache keeps its last contents. */
  async stop(): Promise<void> {
    if (this.state === 'stopped') return;
    this.state = 'stopped';
    this.restartTimer?.cancel();
    this.restartTimer = undefined;
    this.watchdogTimer?.cancel();
    this.watchdogTimer = undefined;
    this.connected = false;
    for (const w of this.startWaiters.splice(0)) {
      w.reject(new Error(`informer for ${this.kind} was stopped before its first successful list`));
    }
    await this.teardown();
  }

  /** Returns the cached object with this name (and namespace, for namespaced kinds). */
  get(name: string, namespace?: string): T | undefined {
    return this.cache.get(namespace ? `${namespace}/${name}` : name);
  }

  /** Returns the cached objects, of one namespace if given. */
  list(namespace?: string): T[] {
    if (namespace === undefined) return [...this.cache.values()];
    const out: T[] = [];
    for (const key of this.byNamespace.get(namespace) ?? []) {
      const o = this.cache.get(key);
      if (o) out.push(o);
    }
    return out;
  }

  /** Stores an object under its key and in the namespace index. */
  private store(key: string, obj: T): void {
    this.cache.set(key, obj);
    const ns = obj.metadata?.namespace;
    if (ns) {
      let keys = this.byNamespace.get(ns);
      if (!keys) this.byNamespace.set(ns, (keys = new Set()));
      keys.add(key);
    }
  }

  /** Removes an object from the cache and the namespace index; reports whether it was cached. */
  private forget(key: string): boolean {
    const old = this.cache.get(key);
    if (!old) return false;
    this.cache.delete(key);
    const ns = old.metadata?.namespace;
    if (ns) {
      const keys = this.byNamespace.get(ns);
      keys?.delete(key);
      if (keys?.size === 0) this.byNamespace.delete(ns);
    }
    return true;
  }

  /** Tells whether the cache can be trusted: watching now, or listed or disconnected less than liveGraceMs ago. */
  isLive(): boolean {
    if (this.state !== 'running' || !this.listedOnce) return false;
    return this.connected || this.clock.now() - this.staleSince < this.liveGraceMs;
  }

  /** Restarts the list and watch now, as the watchdog does; for tests and manual recovery. */
  restart(reason: string): void {
    if (this.state !== 'running') return;
    this.log().warn('restarting watch', { reason });
    watchRestartsTotal.inc({ kind: this.kind });
    this.restartTimer?.cancel();
    this.restartTimer = undefined;
    this.replaceGeneration();
  }

  private log(): Logger {
    return getLogger().child({ component: 'informer', kind: this.kind });
  }

  /** Starts a new generation: a fresh ListWatch on a fresh TrackedWatch. */
  private launch(): void {
    const id = ++this.lastId;
    const isCurrent = () => this.state === 'running' && this.generation?.id === id;
    const watch = new TrackedWatch(this.options.kubeConfig, this.watchTimeoutSeconds, {
      onConnected: () => {
        if (!isCurrent()) return;
        this.connected = true;
        this.failures = 0;
        this.lastActivity = this.clock.now();
      },
      onEvent: () => {
        if (isCurrent()) this.lastActivity = this.clock.now();
      },
      onClosed: () => {
        if (!isCurrent() || !this.connected) return;
        this.connected = false;
        this.staleSince = this.clock.now();
      },
      shape: (obj) => (transform && obj && typeof obj === 'object' ? transform(obj as T) : obj),
    });
    // ListWatch keeps a cache of its own: shaping objects before it sees them (rather than when
    // this wrapper caches them) means both caches share one small copy of each object.
    const transform = this.options.transform;
    const listFn: ListPromise<T> = async () => {
      const list = await this.options.listFn(transform ?? ((obj) => obj));
      if (isCurrent()) {
        this.reconcileList(list.items);
        // ListWatch adds the listed items right after this promise settles, synchronously, and
        // only then opens the watch; a macrotask later the cache is filled, whatever the watch does.
        setImmediate(() => {
          if (isCurrent()) this.resolveStart();
        });
      }
      return list;
    };
    const informer = new ListWatch<T>(this.options.path, watch, listFn, false, this.options.labelSelector);
    informer.on('add', (obj) => isCurrent() && this.upsert(obj));
    informer.on('update', (obj) => isCurrent() && this.upsert(obj));
    informer.on('delete', (obj) => isCurrent() && this.remove(obj));
    informer.on('error', (err) => this.onError(id, err));
    this.generation = { id, informer, watch };
    this.lastActivity = this.clock.now();
    // A failed list or watch is reported through the 'error' handler; a rejection here is a bug
    // in the request setup (e.g. no current cluster), handled the same way.
    informer.start().catch((err: unknown) => this.onError(id, err));
  }

  /** Handles a failed list or watch of generation `id`: restart after backoff, unless it is stale. */
  private onError(id: number, err: unknown): void {
    // Stopping a ListWatch aborts its request, which it reports as an error: not a failure.
    if (this.state !== 'running' || this.generation?.id !== id) return;
    if (this.restartTimer) return;
    this.failures++;
    const delayMs = backoffDelay(this.failures, this.backoff, this.random);
    this.log().warn('watch failed; restarting after backoff', { err, failures: this.failures, retryInMs: delayMs });
    if (this.connected) {
      this.connected = false;
      this.staleSince = this.clock.now();
    }
    watchRestartsTotal.inc({ kind: this.kind });
    void this.teardown();
    this.restartTimer = this.clock.setTimer(() => {
      this.restartTimer = undefined;
      if (this.state === 'running') this.launch();
    }, delayMs);
  }

  /** Stops the current generation and starts the next one at once. */
  private replaceGeneration(): void {
    if (this.connected) {
      this.connected = false;
      this.staleSince = this.clock.now();
    }
    void this.teardown();
    this.launch();
  }

  /** Stops the current generation; its late events and errors are ignored from now on. */
  private async teardown(): Promise<void> {
    const gen = this.generation;
    this.generation = undefined;
    if (!gen) return;
    gen.watch.close();
    try {
      await gen.informer.stop();
    } catch (err) {
      this.log().warn('stopping the previous watch failed', { err });
    }
  }

  /** Checks for silence every quarter of watchdogMs and restarts a watch that showed no life. */
  private armWatchdog(): void {
    const period = Math.max(10, Math.floor(this.watchdogMs / 4));
    this.watchdogTimer = this.clock.setTimer(() => {
      if (this.state !== 'running') return;
      // A pending restart is already on its way; its own list will show whether the server answers.
      const silentMs = this.clock.now() - this.lastActivity;
      if (!this.restartTimer && silentMs >= this.watchdogMs) {
        this.restart(`no event or reconnection for ${silentMs} ms (watchdog ${this.watchdogMs} ms)`);
      }
      this.armWatchdog();
    }, period);
  }

  private resolveStart(): void {
    for (const w of this.startWaiters.splice(0)) w.resolve();
  }

  /** After a (re)list: objects the cache holds but the list lacks were deleted while we were not watching. */
  private reconcileList(items: T[]): void {
    // Fresh as of this list; the grace period covers the watch connecting.
    if (!this.listedOnce) this.staleSince = this.clock.now();
    this.listedOnce = true;
    this.lastActivity = this.clock.now();
    const present = new Set(items.map(cacheKey));
    for (const [key, obj] of [...this.cache]) {
      if (present.has(key)) continue;
      this.forget(key);
      this.emit('delete', obj);
    }
  }

  /** Caches an object and reports it as added, or as updated if its resourceVersion changed. */
  private upsert(obj: T): void {
    const key = cacheKey(obj);
    const old = this.cache.get(key);
    if (old && old.metadata?.resourceVersion === obj.metadata?.resourceVersion) return;
    this.store(key, obj);
    if (old) this.emit('update', obj, old);
    else this.emit('add', obj);
  }

  private remove(raw: T): void {
    const key = cacheKey(raw);
    const cached = this.cache.get(key);
    if (!cached || !this.forget(key)) return;
    this.emit('delete', cached);
  }

  /** Calls the handlers of an event; one that throws is logged and does not stop the others or the watch. */
  private emit(event: InformerEvent, obj: T, old?: T): void {
    for (const handler of [...this.handlers[event]]) {
      try {
        handler(obj, old);
      } catch (err) {
        this.log().error('informer event handler threw', {
          event,
          name: obj.metadata?.name,
          namespace: obj.metadata?.namespace,
          err,
        });
      }
    }
  }
}
