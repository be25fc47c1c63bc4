// The address range app Pods get from the stand-in kubelet. The API server refuses loopback
// addresses (127.0.0.0/8) in EndpointSlices, so a proxy reading them could never reach a Pod served
// on 127.0.0.x; a range the host routes to its loopback interface (`ip route add local CIDR dev lo`)
// can be published and still never leaves the machine.
import { createServer } from 'node:net';
import { envLog, runTool } from './proc.js';

/** The Pod address range of the local environment, unless TENANTRY_POD_CIDR names another. */
export const DEFAULT_POD_CIDR = '10.244.0.0/16';

/** Returns TENANTRY_POD_CIDR or the default range. */
export function podCidrSetting(): string {
  return process.env.TENANTRY_POD_CIDR || DEFAULT_POD_CIDR;
}

/** Tells whether this host answers on the range's first address (it is routed to a local interface). */
export async function routedLocally(cidr: string): Promise<boolean> {
  const first = cidr.replace(/\.0\/\d+$/, '.1');
  const server = createServer();
  return new Promise((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(0, first, () => server.close(() => resolve(true)));
  });
}

/**
 * Makes sure the range is routed locally: adds the route when it is missing and we may (root, as in
 * CI); otherwise says which command to run. Returns whether the range is usable. The route is left
 * in place on exit: it is harmless (a private range answered by this host) and the next run reuses it.
 */
export async function ensureLocalRoute(cidr: string): Promise<boolean> {
  if (await routedLocally(cidr)) return true;
  if (process.getuid?.() === 0) {
    try {
      await runTool('ip', ['route', 'add', 'local', cidr, 'dev', 'lo']);
      envLog(`routed ${cidr} to the loopback interface, so app Pods get addresses EndpointSlices accept`);
    } catch (e) {
      envLog(`could not route ${cidr} locally: ${(e as Error).message}`);
    }
    if (await routedLocally(cidr)) return true;
  }
  envLog(`${cidr} is not routed locally; app Pods then get no address a proxy can reach. Run once: sudo ip route add local ${cidr} dev lo`);
  return false;
}
