// What stands in for a kubelet, cert-manager and an ingress controller in the demo: the stand-in
// kubelet for app Pods (a small HTTP server per Pod), the one for database and Job Pods
// (demo-kubelet.ts), the test CA that issues each Certificate's Secret, and Traefik on loopback
// ports serving the tenants from the objects the operator wrote. None of it changes the operator.
import { createServer } from 'node:net';
import { join } from 'node:path';
import { startDemoKubelet, type DemoKubelet } from './demo-kubelet.js';
import { startLocalKubelet, type LocalKubelet } from './local-kubelet.js';
import type { Services } from './services.js';
import { startTestCaIssuer, type TestCaIssuer } from './test-ca-issuer.js';

/** The range app Pods get addresses from when the host routes it locally (the API server refuses loopback ones in EndpointSlices). */
export const DEFAULT_POD_CIDR = '10.244.0.0/16';

/** Reports whether the host accepts a listener on the range's first host address, i.e. has a `local` route for it. */
export async function routedLocally(cidr: string): Promise<boolean> {
  const first = cidr.replace(/\.0\/\d+$/, '.1');
  const server = createServer();
  return new Promise((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(0, first, () => server.close(() => resolve(true)));
  });
}

/** The running stand-ins. */
export interface DemoStandIns {
  readonly caCertFile: string;
  /** The address range app Pods got, or undefined when they got loopback addresses (then no proxy can route to them). */
  readonly podCidr: string | undefined;
  stop(): Promise<void>;
}

/** Starts the stand-ins for app Pods and Certificates (right away) and for database and Job Pods (once `services` run). */
export async function startStandIns(o: {
  kubeconfig: string;
  kubectl: string;
  dir: string;
  podCidr: string | undefined;
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
  return {
    caCertFile: ca.caCertFile,
    podCidr: o.podCidr,
    async stop() {
      stopped = true;
      await joined;
      await pods?.stop();
      await ca.stop();
      await k.stop();
    },
  };
}
