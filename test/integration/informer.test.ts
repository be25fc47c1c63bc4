// Integration test of the resilient informer against the real API server, on ConfigMaps with a
// label selector: it reports add/update/delete and caches only labelled objects; after its
// connections are reset and refused for a while it recovers, reporting exactly what changed
// meanwhile; and its watchdog restarts a watch that went silent. The watch runs through a TCP
// proxy the test can cut or freeze; lists go straight to the server.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { CoreV1Api, KubeConfig, type V1ConfigMap } from '@kubernetes/client-node';
import { ResilientInformer, type ResilientInformerOptions } from '../../src/runtime/informer.js';
import { watchRestartsTotal } from '../../src/metrics.js';
import { testKubeconfig } from '../support/kubectl.js';
import { waitFor } from '../support/wait.js';
import { captureGlobalLog, type GlobalCapturedLog } from '../support/log-capture.js';

const RUN = randomBytes(3).toString('hex');
const NS = `informer-test-${RUN}`;
const LABEL = 'tenantry.io/informer-test';
const SELECTOR = `${LABEL}=${RUN}`;

const kc = new KubeConfig();
kc.loadFromFile(testKubeconfig());
const core = kc.makeApiClient(CoreV1Api);
const informers: ResilientInformer<V1ConfigMap>[] = [];
let log: GlobalCapturedLog;

/**
 * A TCP proxy in front of the API server. cut() resets every connection (and, while refusing,
 * new ones); freeze() makes the open connections silent without closing them — the half-open
 * connection a network blip leaves behind, which neither side notices.
 */
class Proxy {
  private readonly server: Server;
  private readonly pairs = new Set<[Socket, Socket]>();
  private readonly frozen = new Set<Socket>();
  refusing = false;

  constructor(target: URL) {
    this.server = createServer((client) => {
      if (this.refusing) {
        client.destroy();
        return;
      }
      const upstream = connect(Number(target.port), target.hostname);
      const pair: [Socket, Socket] = [client, upstream];
      this.pairs.add(pair);
      client.pipe(upstream);
      upstream.pipe(client);
      const end = () => {
        this.pairs.delete(pair);
        client.destroy();
        upstream.destroy();
      };
      for (const s of pair) {
        s.on('error', end);
        s.on('close', end);
      }
    });
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return (this.server.address() as { port: number }).port;
  }

  /** Resets every open connection. */
  cut(): void {
    for (const [client, upstream] of this.pairs) {
      client.resetAndDestroy();
      upstream.destroy();
    }
  }

  /** Stops moving bytes on the open connections and leaves them open; new connections work. */
  freeze(): void {
    for (const [client, upstream] of this.pairs) {
      client.unpipe(upstream);
      upstream.unpipe(client);
      client.pause();
      upstream.pause();
      this.frozen.add(client).add(upstream);
    }
    this.pairs.clear();
  }

  async close(): Promise<void> {
    this.refusing = true;
    this.cut();
    // A paused socket never reads the peer's FIN, so frozen connections are closed by hand.
    for (const s of this.frozen) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

let proxy: Proxy;
let proxied: KubeConfig;

/** An informer on this file's labelled ConfigMaps, watching through the proxy, with quick restarts. */
function informer(kind: string, extra: Partial<ResilientInformerOptions<V1ConfigMap>> = {}): ResilientInformer<V1ConfigMap> {
  const inf = new ResilientInformer<V1ConfigMap>({
    kubeConfig: proxied,
    kind,
    path: `/api/v1/namespaces/${NS}/configmaps`,
    listFn: () => core.listNamespacedConfigMap({ namespace: NS, labelSelector: SELECTOR }),
    labelSelector: SELECTOR,
    backoff: { baseMs: 100, maxMs: 400 },
    liveGraceMs: 500,
    ...extra,
  });
  informers.push(inf);
  return inf;
}

/** Records the events of an informer as "event:name[:value]" strings. */
function record(inf: ResilientInformer<V1ConfigMap>): string[] {
  const events: string[] = [];
  inf.on('add', (o) => events.push(`add:${o.metadata?.name}`));
  inf.on('update', (o, old) => events.push(`update:${o.metadata?.name}:${old?.data?.v}->${o.data?.v}`));
  inf.on('delete', (o) => events.push(`delete:${o.metadata?.name}`));
  return events;
}

async function createCm(name: string, labelled = true, v = '1'): Promise<void> {
  await core.createNamespacedConfigMap({
    namespace: NS,
    body: { metadata: { name, labels: labelled ? { [LABEL]: RUN } : { other: 'x' } }, data: { v } },
  });
}

async function restarts(kind: string): Promise<number> {
  return (await watchRestartsTotal.get()).values.find((v) => v.labels.kind === kind)?.value ?? 0;
}

before(async () => {
  log = captureGlobalLog();
  proxy = new Proxy(new URL(kc.getCurrentCluster()?.server ?? ''));
  const port = await proxy.listen();
  proxied = new KubeConfig();
  proxied.loadFromOptions({
    clusters: kc.clusters.map((c) => ({ ...c, server: `https://127.0.0.1:${port}` })),
    users: kc.users,
    contexts: kc.contexts,
    currentContext: kc.currentContext,
  });
  await core.createNamespace({ body: { metadata: { name: NS } } });
});

after(async () => {
  await Promise.all(informers.map((i) => i.stop()));
  await proxy.close();
  await core.deleteNamespace({ name: NS });
  log.restore();
});

describe('ResilientInformer', () => {
  test('reports add, update and delete of labelled objects and caches only those', async () => {
    await createCm('before-start');
    await createCm('unlabelled', false);
    const inf = informer('ConfigMap-basic');
    const events = record(inf);
    let calls = 0;
    inf.on('add', () => {
      calls++;
      throw new Error('a broken handler');
    });
    await inf.start();
    assert.deepEqual(events, ['add:before-start'], 'start() resolves once the listed objects are in the cache');
    assert.equal(inf.isLive(), true);

    await createCm('a');
    await waitFor(() => events.includes('add:a'), 5000, 'add of a');
    await core.patchNamespacedConfigMap({ name: 'a', namespace: NS, body: [{ op: 'replace', path: '/data/v', value: '2' }] });
    await waitFor(() => events.includes('update:a:1->2'), 5000, 'update of a');
    assert.equal(inf.get('a', NS)?.data?.v, '2');
    await core.deleteNamespacedConfigMap({ name: 'a', namespace: NS });
    await waitFor(() => events.includes('delete:a'), 5000, 'delete of a');
    assert.equal(inf.get('a', NS), undefined);

    await core.patchNamespacedConfigMap({ name: 'unlabelled', namespace: NS, body: [{ op: 'replace', path: '/data/v', value: '3' }] });
    await createCm('b');
    await waitFor(() => events.includes('add:b'), 5000, 'add of b');
    assert.equal(inf.get('unlabelled', NS), undefined);
    assert.deepEqual(
      inf
        .list(NS)
        .map((o) => o.metadata?.name)
        .sort(),
      ['b', 'before-start'],
    );
    assert.deepEqual(inf.list('elsewhere'), []);
    assert.ok(!events.some((e) => e.includes('unlabelled')), `unlabelled object reported: ${events.join(', ')}`);

    assert.equal(calls, 3, 'a throwing handler is called for every add and does not stop the others');
    assert.ok(
      log.lines().some((l) => l.message === 'informer event handler threw' && l.kind === 'ConfigMap-basic' && l.event === 'add'),
      'the handler failure is logged with the kind',
    );
    await inf.stop();
    assert.equal(inf.isLive(), false);
    await core.deleteNamespacedConfigMap({ name: 'b', namespace: NS });
    await core.deleteNamespacedConfigMap({ name: 'before-start', namespace: NS });
  });

  test('hands its transform to listFn, shapes listed objects once and watched ones before caching', async () => {
    await createCm('listed');
    let shapedByList = 0;
    let transformed = 0;
    // The transform counts its calls and marks what it shaped; shaping an object twice would show as "v:shaped:shaped".
    const transform = (o: V1ConfigMap): V1ConfigMap => {
      transformed++;
      return { ...o, data: { v: `${o.data?.v}:shaped` } };
    };
    const inf = informer('ConfigMap-shaped', {
      transform,
      listFn: async (shape) => {
        const list = await core.listNamespacedConfigMap({ namespace: NS, labelSelector: SELECTOR });
        return {
          ...list,
          items: list.items.map((o) => {
            shapedByList++;
            return shape(o);
          }),
        };
      },
    });
    await inf.start();
    assert.equal(shapedByList, 1, 'listFn shapes each listed object with the shape it was given');
    assert.equal(transformed, 1, 'the informer does not shape listed objects again');
    assert.equal(inf.get('listed', NS)?.data?.v, '1:shaped');
    await createCm('watched');
    await waitFor(() => inf.get('watched', NS) !== undefined, 5000, 'the watched object');
    assert.equal(inf.get('watched', NS)?.data?.v, '1:shaped', 'watch events are shaped before they are cached');
    await inf.stop();
    await core.deleteNamespacedConfigMap({ name: 'listed', namespace: NS });
    await core.deleteNamespacedConfigMap({ name: 'watched', namespace: NS });
  });

  test('recovers from reset and refused connections and reports what changed meanwhile', async () => {
    const kind = 'ConfigMap-reset';
    await createCm('stays');
    await createCm('goes');
    const inf = informer(kind);
    const events = record(inf);
    await inf.start();
    await waitFor(() => events.includes('add:stays') && events.includes('add:goes'), 5000, 'the initial adds');
    const initial = events.length;
    const restartsBefore = await restarts(kind);

    proxy.refusing = true;
    proxy.cut();
    await waitFor(
      () => log.lines().some((l) => l.kind === kind && l.message === 'watch failed; restarting after backoff'),
      5000,
      'the error to be logged',
    );
    // While it cannot reconnect, the changes happen behind its back.
    await core.deleteNamespacedConfigMap({ name: 'goes', namespace: NS });
    await createCm('new-during-outage');
    await core.patchNamespacedConfigMap({ name: 'stays', namespace: NS, body: [{ op: 'replace', path: '/data/v', value: '9' }] });
    await new Promise((r) => setTimeout(r, 800));
    assert.equal(inf.isLive(), false, 'an informer that cannot reconnect is not live after the grace period');
    assert.ok((await restarts(kind)) > restartsBefore + 1, 'each failed attempt counts as a restart');

    proxy.refusing = false;
    await waitFor(() => events.includes('add:new-during-outage'), 5000, 'the informer to recover');
    assert.deepEqual(events.slice(initial).sort(), ['add:new-during-outage', 'delete:goes', 'update:stays:1->9']);
    await waitFor(() => inf.isLive(), 5000, 'isLive() after recovery');

    // And the restarted watch delivers new events.
    await createCm('after-recovery');
    await waitFor(() => events.includes('add:after-recovery'), 5000, 'an event on the restarted watch');
    await inf.stop();
  });

  test('the watchdog restarts a watch that went silent', async () => {
    const kind = 'ConfigMap-silent';
    // The server would end the watch only after a minute, so only the watchdog can notice.
    const inf = informer(kind, { watchdogMs: 1500, watchTimeoutSeconds: 60 });
    const events = record(inf);
    await inf.start();
    await createCm('seen-live');
    await waitFor(() => events.includes('add:seen-live'), 5000, 'the live watch');
    const restartsBefore = await restarts(kind);

    proxy.freeze();
    const frozenAt = Date.now();
    await createCm('sent-into-silence');
    await new Promise((r) => setTimeout(r, 500));
    assert.ok(!events.includes('add:sent-into-silence'), 'a frozen connection delivers nothing');
    assert.equal(inf.isLive(), true, 'a silent watch looks live until the watchdog notices');

    await waitFor(() => events.includes('add:sent-into-silence'), 6000, 'the watchdog to restart the watch');
    const tookMs = Date.now() - frozenAt;
    assert.ok(tookMs >= 1000, `recovered after ${tookMs} ms, sooner than the watchdog could fire`);
    assert.ok((await restarts(kind)) >= restartsBefore + 1, 'the watchdog restart is counted');
    assert.ok(log.lines().some((l) => l.kind === kind && l.message === 'restarting watch' && /watchdog/.test(String(l.reason))));
    await createCm('after-watchdog');
    await waitFor(() => events.includes('add:after-watchdog'), 5000, 'an event on the new watch');
    await inf.stop();
  });

  test('start() keeps retrying until the list succeeds, and stop() before that rejects it', async () => {
    const kind = 'ConfigMap-badlist';
    let attempts = 0;
    const inf = informer(kind, {
      listFn: () => {
        attempts++;
        return attempts < 3
          ? core.listNamespacedConfigMap({ namespace: NS, labelSelector: 'bad selector!' })
          : core.listNamespacedConfigMap({ namespace: NS, labelSelector: SELECTOR });
      },
    });
    await inf.start();
    assert.equal(attempts, 3, 'two failed lists, then success');
    await inf.stop();

    const never = informer('ConfigMap-never', {
      listFn: () => core.listNamespacedConfigMap({ namespace: NS, labelSelector: 'bad selector!' }),
    });
    const starting = never.start();
    await new Promise((r) => setTimeout(r, 300));
    await never.stop();
    await assert.rejects(starting, /stopped before its first successful list/);
  });
});
