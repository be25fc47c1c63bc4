// What stands in for a kubelet, cert-manager and an ingress controller in the demo: the stand-in
// kubelet for app Pods (a small HTTP server per Pod), the one for database and Job Pods
// (demo-kubelet.ts), the test CA that issues each Certificate's Secret, and Traefik on loopback
// ports serving the tenants from the objects the operator wrote. None of it changes the operator.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureBinaries } from './build.js';
import { startDemoKubelet, type DemoKubelet } from './demo-kubelet.js';
import { startLocalKubelet, type LocalKubelet } from './local-kubelet.js';
import type { Services } from './services.js';
import { startTestCaIssuer, type TestCaIssuer } from './test-ca-issuer.js';
import { startTraefik, type Traefik } from './traefik.js';

/** Where Traefik serves the tenants, also written to traefik.json in the environment folder. */
export interface DemoProxy {
  httpPort: number;
  httpsPort: number;
  /** The CA that signed the tenants' certificates (curl --cacert). */
  caCertFile: string;
}

/** The running stand-ins. */
export interface DemoStandIns {
  readonly caCertFile: string;
  /** The address range app Pods got, or undefined when they got loopback addresses (then no proxy can route to them). */
  readonly podCidr: string | undefined;
  /** Resolves once Traefik serves (built first on a cold cache); undefined when it could not start. */
  readonly proxy: Promise<DemoProxy | undefined>;
  stop(): Promise<void>;
}

/** Starts the stand-ins for app Pods and Certificates (right away) and for database and Job Pods (once `services` run). */
export async function startStandIns(o: {
  kubeconfig: string;
  kubectl: string;
  /** API server URL and CA, for Traefik's providers. */
  server: string;
  caFile: string;
  dir: string;
  podCidr: string | undefined;
  /** Build (on a cold cache, some ten minutes) and run Traefik. */
  proxy: boolean;
  services: Promise<Services | undefined>;
  log: (line: string) => void;
}): Promise<DemoStandIns> {
  let kubelet: LocalKubelet | undefined;
  let issuer: TestCaIssuer | undefined;
  let pods: DemoKubelet | undefined;
  try {
    kubelet = await startLocalKubelet({ kubeconfig: o.kubeconfig, log: o.log, ...(o.podCidr ? { podCidr: o.podCidr } : {}) });
    issuer = await startTestCaIssuer({ kubeconfig: o.kubeconfig, dir: join(o.dir, 'test-ca'), log: o.log });
  } catch (e) {
    await issuer?.stop();
    await kubelet?.stop();
    throw e;
  }
  const nodeName = kubelet.nodeName;
  let stopped = false;
  const joined = o.services.then((services) => {
    if (!services || stopped) return;
    pods = startDemoKubelet({ kubeconfig: o.kubeconfig, kubectl: o.kubectl, nodeName, dir: o.dir, services, log: o.log });
  });
  const k = kubelet;
  const ca = issuer;
  let traefik: Traefik | undefined;
  const proxy = (async (): Promise<DemoProxy | undefined> => {
    if (!o.proxy) return undefined;
    // After the services: on a cold cache their build and Traefik's would share two cores.
    await o.services.catch(() => undefined);
    const bin = (await ensureBinaries(['traefik'])).traefik;
    if (stopped) return undefined;
    // The operator's `traefik` provider writes IngressRoutes with their Middleware and TLSOption: the CRD provider serves them.
    traefik = await startTraefik({
      traefik: bin,
      kubectl: o.kubectl,
      kubeconfig: o.kubeconfig,
      server: o.server,
      caFile: o.caFile,
      dir: join(o.dir, 'traefik'),
      providers: ['crd'],
    });
    const served: DemoProxy = { httpPort: traefik.httpPort, httpsPort: traefik.httpsPort, caCertFile: ca.caCertFile };
    writeFileSync(join(o.dir, 'traefik.json'), JSON.stringify(served, null, 2) + '\n');
    return served;
  })().catch((e: unknown) => {
    o.log(`Traefik did not start: ${e instanceof Error ? e.message : String(e)}`);
    return undefined;
  });
  return {
    caCertFile: ca.caCertFile,
    podCidr: o.podCidr,
    proxy,
    async stop() {
      stopped = true;
      await joined;
      await proxy;
      await traefik?.stop();
      await pods?.stop();
      await ca.stop();
      await k.stop();
    },
  };
}
