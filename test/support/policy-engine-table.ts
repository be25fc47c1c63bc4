// The isolation truth table (P1): the endpoints of a cluster with tenants (their pods as the
// operator created them, and stand-ins for the ingress controller, cluster DNS, the cloud metadata
// endpoint, the API server and the internet), every flow with a tenant pod at one end on every port
// in play, what the promise says of each, and the Markdown page that publishes the engine's answers.
// Pure: the integration test reads the cluster and runs the engine; this file only shapes and judges.
import type { NetworkPolicy } from 'kubernetes-types/networking/v1.js';
import type { EngineAnswer, EngineFlow, EnginePeer, FlowVerdict, Protocol } from './policy-engine.js';

/** What an endpoint stands for. */
export type EndpointKind = 'tenant' | 'ingress-controller' | 'dns' | 'metadata' | 'apiserver' | 'internet';
/** The parts of a tenant that run as pods. */
export type TenantRole = 'app' | 'database' | 'backup';

/** One end of the flows: a pod, or an address outside the pod network. */
export interface Endpoint {
  /** Stable display name, e.g. `tenant-a/app` or `metadata 169.254.169.254`. */
  name: string;
  kind: EndpointKind;
  /** For tenant pods: the tenant and the role. */
  tenant?: string;
  role?: TenantRole;
  peer: EnginePeer;
  /** Where the labels came from (a pod template, a stand-in pod read back), for the page. */
  origin: string;
}

/** A port and protocol a flow may use. */
export interface PortProtocol {
  port: number;
  protocol: Protocol;
}

/** What the promise needs to know of the configuration. */
export interface PromiseFacts {
  /** The app container's port, the only one the ingress controller may reach. */
  appPort: number;
  /** Database port of each tenant (by tenant name). */
  databasePort: Record<string, number>;
  /** TCP ports the backup pods may use towards the internet (S3, KMS). */
  backupEgressPorts: number[];
}

/** A flow with its endpoints, as the table lists it. */
export interface TableFlow extends EngineFlow {
  from: Endpoint;
  to: Endpoint;
}

const portKey = (p: PortProtocol) => `${p.port}/${p.protocol}`;

/** Returns every port named by a rule of the policies, plus `extra` (ports no rule names stand for "any other port"), sorted. */
export function portsInPlay(policies: NetworkPolicy[], extra: PortProtocol[]): PortProtocol[] {
  const seen = new Map<string, PortProtocol>();
  const add = (p: PortProtocol) => seen.set(portKey(p), p);
  for (const np of policies) {
    for (const rule of [...(np.spec?.ingress ?? []), ...(np.spec?.egress ?? [])]) {
      for (const p of rule.ports ?? []) {
        // Named ports and ranges never occur in Tenantry's policies; a number is all the table needs.
        if (typeof p.port === 'number') add({ port: p.port, protocol: (p.protocol ?? 'TCP') as Protocol });
      }
    }
  }
  extra.forEach(add);
  return [...seen.values()].sort((a, b) => a.port - b.port || a.protocol.localeCompare(b.protocol));
}

/** Returns every flow with a tenant pod at one end or both, between different endpoints, on every port, in a stable order. */
export function tableFlows(endpoints: Endpoint[], ports: PortProtocol[]): TableFlow[] {
  const sorted = [...endpoints].sort((a, b) => a.name.localeCompare(b.name));
  const flows: TableFlow[] = [];
  for (const from of sorted) {
    // Outside addresses and the cluster's own pods only matter as a source towards a tenant pod.
    for (const to of sorted) {
      if (from === to || (from.kind !== 'tenant' && to.kind !== 'tenant')) continue;
      // Traffic from outside the pod network to a stand-in outside it is no NetworkPolicy's business.
      if (from.peer.namespace === undefined && to.peer.namespace === undefined) continue;
      for (const p of ports) {
        flows.push({ id: `${from.name} -> ${to.name}:${portKey(p)}`, source: from.peer, destination: to.peer, ...p, from, to });
      }
    }
  }
  return flows;
}

/** Tells what the promise (P1) says of a flow: allowed or denied. Written from the promise, not from the policies. */
export function promised(f: TableFlow, facts: PromiseFacts): boolean {
  const { from, to, port, protocol } = f;
  const tcp = protocol === 'TCP';
  if (from.kind === 'tenant') {
    // Every tenant pod resolves names through cluster DNS and nowhere else.
    if (to.kind === 'dns') return port === 53 && (protocol === 'UDP' || protocol === 'TCP');
    const sameTenant = to.kind === 'tenant' && to.tenant === from.tenant;
    const toOwnDatabase = sameTenant && to.role === 'database' && tcp && port === facts.databasePort[from.tenant!];
    if (from.role === 'app' || from.role === 'backup') {
      if (toOwnDatabase) return true;
    }
    // Backups leave for S3 and KMS outside the private ranges, on their ports only.
    return from.role === 'backup' && to.kind === 'internet' && tcp && facts.backupEgressPorts.includes(port);
  }
  // Into a tenant pod only the ingress controller, only to the app's port.
  return from.kind === 'ingress-controller' && to.role === 'app' && tcp && port === facts.appPort;
}

/** A disagreement between the engine and the promise, with the policies to look at. */
export interface Breach {
  flow: TableFlow;
  verdict: FlowVerdict;
  promised: boolean;
}

/**
 * Returns the flows where the engine's verdict differs from the promise. Between two tenant pods a
 * denied flow must be denied by each side on its own (the source's egress and the destination's
 * ingress): a tenant's isolation must not rest on the policies of the tenant trying to get in.
 */
export function breaches(flows: TableFlow[], answer: EngineAnswer, facts: PromiseFacts): Breach[] {
  return flows.flatMap((flow, i) => {
    const verdict = answer.results[i]!;
    if (verdict.id !== flow.id) throw new Error(`the engine answered ${verdict.id} where ${flow.id} was asked`);
    const p = promised(flow, facts);
    const betweenPods = flow.from.kind === 'tenant' && flow.to.kind === 'tenant';
    const oneSided = !p && betweenPods && (verdict.egress.allowed || verdict.ingress.allowed);
    return verdict.allowed === p && !oneSided ? [] : [{ flow, verdict, promised: p }];
  });
}

/** Returns a message for a breach that names the tenants involved and the rules that decided it. */
export function describeBreach(b: Breach): string {
  const who = (e: Endpoint) => (e.tenant ? `tenant ${e.tenant} (${e.role})` : e.name);
  const { egress, ingress } = b.verdict;
  if (!b.promised && !b.verdict.allowed) {
    const side = egress.allowed
      ? `egress rule ${list(egress.allowedBy, 'of no policy (not isolated)')}`
      : `ingress rule ${list(ingress.allowedBy, 'of no policy (not isolated)')}`;
    const other = egress.allowed ? 'ingress' : 'egress';
    return `${who(b.flow.from)} -> ${who(b.flow.to)} on ${b.flow.port}/${b.flow.protocol} is let through by ${side}, the promise denies it on both sides: only the other side's ${other} policies still stop it`;
  }
  if (b.verdict.allowed) {
    return `${who(b.flow.from)} -> ${who(b.flow.to)} on ${b.flow.port}/${b.flow.protocol} is allowed, the promise denies it: allowed by egress rule ${list(egress.allowedBy, 'of no policy (not isolated)')} and ingress rule ${list(ingress.allowedBy, 'of no policy (not isolated)')}`;
  }
  const denied = [
    egress.allowed ? undefined : `egress of ${list(egress.selectedBy, '-')}`,
    ingress.allowed ? undefined : `ingress of ${list(ingress.selectedBy, '-')}`,
  ];
  return `${who(b.flow.from)} -> ${who(b.flow.to)} on ${b.flow.port}/${b.flow.protocol} is denied, the promise allows it: denied by ${denied.filter(Boolean).join(' and ')}`;
}

function list(names: string[], none: string): string {
  return names.length > 0 ? names.join(', ') : none;
}

/** What the page says about how the table was produced. */
export interface PageContext {
  engine: string;
  engineVersion: string;
  tenants: { name: string; engine: string; suspended: boolean }[];
  policies: NetworkPolicy[];
  endpoints: Endpoint[];
  ports: PortProtocol[];
}

/** Renders docs/isolation.md from the engine's answers: one row per source and destination, the ports allowed and denied. Deterministic. */
export function renderIsolationPage(flows: TableFlow[], answer: EngineAnswer, ctx: PageContext): string {
  const rows = new Map<string, { from: Endpoint; to: Endpoint; allowed: string[]; denied: string[] }>();
  flows.forEach((f, i) => {
    const key = `${f.from.name}\u0000${f.to.name}`;
    const row = rows.get(key) ?? { from: f.from, to: f.to, allowed: [], denied: [] };
    (answer.results[i]!.allowed ? row.allowed : row.denied).push(portKey(f));
    rows.set(key, row);
  });
  const allowedCount = answer.results.filter((r) => r.allowed).length;
  const cell = (ports: string[]) => (ports.length === 0 ? '–' : ports.join(', '));
  const out: string[] = [
    '# Isolation truth table (P1)',
    '',
    '<!-- Generated by test/integration/isolation.test.ts; do not edit: rerun the test to regenerate. -->',
    '',
    'Every flow from or to a tenant pod, judged by an upstream NetworkPolicy evaluator against the',
    'NetworkPolicies, namespaces and pod labels the operator created in a real API server.',
    '',
    '## How it was produced',
    '',
    `- Engine: \`${ctx.engine}\` ${ctx.engineVersion} (its \`pkg/matcher\`, the evaluator behind \`cyclonus analyze\`),`,
    '  built from the Go module proxy by `npm run env:build` (test/env/netpol). It decides every verdict below.',
    `- Tenants: ${ctx.tenants.map((t) => `\`${t.name}\` (${t.engine}${t.suspended ? ', suspended' : ''})`).join(', ')}, reconciled by the operator`,
    '  (`tenantry operator`) against kube-apiserver, etcd and kube-controller-manager.',
    `- Read back from the API server: ${ctx.policies.length} NetworkPolicies, the namespaces' labels, and the pod labels of the`,
    "  app Deployment's and the database StatefulSet's pod templates and of the backup CronJob's job template.",
    '- Stand-ins (no kubelet, no CNI): pod IPs are assigned by the test; the ingress controller and kube-dns are Pods',
    '  created in their namespaces with the labels the operator configuration names; the metadata endpoint, the API server',
    "  (its Service address and an endpoint address listed in the configuration's `clusterCidrs`) and an internet",
    '  address (TEST-NET-3) are addresses outside the pod network.',
    '- Ports: every port a rule of these policies names, the stand-ins\' ports, and 9999/TCP for "any other port".',
    '- A suspended tenant keeps its policies; its Deployment has 0 replicas, so its app row describes a pod that',
    '  would run after resumption (no app pod runs while suspended).',
    '',
    `${flows.length} flows judged, ${allowedCount} allowed, ${flows.length - allowedCount} denied; every verdict agrees with the promise`,
    "(test/support/policy-engine-table.ts, `promised`), and between two tenant pods every denied flow is denied by each side's",
    'policies on their own (the egress of the source and the ingress of the destination).',
    '',
    '## Endpoints',
    '',
    '| Endpoint | Namespace | IP | Labels from |',
    '| --- | --- | --- | --- |',
    ...[...ctx.endpoints]
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((e) => `| ${e.name} | ${e.peer.namespace ?? '(outside the pod network)'} | ${e.peer.ip} | ${e.origin} |`),
    '',
    `Ports: ${ctx.ports.map(portKey).join(', ')}.`,
    '',
    '## Allowed flows',
    '',
    '| Source | Destination | Allowed ports |',
    '| --- | --- | --- |',
    ...[...rows.values()].filter((r) => r.allowed.length > 0).map((r) => `| ${r.from.name} | ${r.to.name} | ${cell(r.allowed)} |`),
    '',
    '## Every source and destination',
    '',
    '| Source | Destination | Allowed | Denied |',
    '| --- | --- | --- | --- |',
    ...[...rows.values()].map((r) => `| ${r.from.name} | ${r.to.name} | ${cell(r.allowed)} | ${cell(r.denied)} |`),
    '',
  ];
  return out.join('\n');
}
