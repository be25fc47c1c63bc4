// P1 on the wire's terms: the operator reconciles three tenants (PostgreSQL, MariaDB, one
// suspended) against the real API server; the NetworkPolicies, namespaces and pod labels it
// created are read back and, with stand-ins for the ingress controller, kube-dns, the metadata
// endpoint, the API server and the internet, handed to an upstream NetworkPolicy evaluator
// (cyclonus's matcher). Every verdict must match the promise; the table becomes docs/isolation.md.
// A policy that lets one tenant into another must make the check fail, naming both and the rule.
// The tenants' ServiceAccounts may do no more than any authenticated user, and mount no token.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { CronJob } from 'kubernetes-types/batch/v1.js';
import type { Deployment, StatefulSet } from 'kubernetes-types/apps/v1.js';
import type { Namespace, PodTemplateSpec, ServiceAccount } from 'kubernetes-types/core/v1.js';
import type { NetworkPolicy } from 'kubernetes-types/networking/v1.js';
import type { BackupPolicy } from '../../src/api/generated/index.js';
import { tenantNamespace } from '../../src/api/names.js';
import { defaultConfig } from '../../src/config.js';
import { repoRoot } from '../env/paths.js';
import { applyObjects, eventually, getJson, listJson, testTenant } from '../support/cluster.js';
import { kubectl, kubectlOk } from '../support/kubectl.js';
import { startOperator, testConfig, type TestOperator } from '../support/operator.js';
import { judgeFlows, type EnginePeer } from '../support/policy-engine.js';
import {
  breaches,
  describeBreach,
  portsInPlay,
  renderIsolationPage,
  tableFlows,
  type Endpoint,
  type PromiseFacts,
  type TenantRole,
} from '../support/policy-engine-table.js';
import { ENCRYPTED_CLASS, installPrerequisites } from '../support/prerequisites.js';

// Fixed names, not per-run ones: docs/isolation.md names them and must not change between runs.
const SELECTOR_KEY = 'tenantry.io/test';
const SELECTOR_VALUE = 'isolation';
const POLICY = 'isolation-nightly';
const TENANTS = [
  { name: 'iso-pg', engine: 'postgres', suspended: false },
  { name: 'iso-maria', engine: 'mariadb', suspended: false },
  { name: 'iso-paused', engine: 'postgres', suspended: true },
] as const;
// Stand-in addresses. The pod network and the Service range (the control plane's) are private; the
// API server's endpoint is a public address, as a managed control plane's often is, so only
// clusterCidrs keeps tenants off it.
const POD_CIDR = '10.244.0.0/16';
const SERVICE_CIDR = '10.0.0.0/16';
const API_ENDPOINT = '198.51.100.20';
const INTERNET = '203.0.113.10';
const METADATA = '169.254.169.254';
const OTHER_PORT = { port: 9999, protocol: 'TCP' } as const;

const config = {
  ...testConfig('nginx', ENCRYPTED_CLASS),
  clusterCidrs: [POD_CIDR, SERVICE_CIDR, `${API_ENDPOINT}/32`],
  serviceCidrs: [SERVICE_CIDR],
};
const defaults = defaultConfig();
const DNS = defaults.dns;
const INGRESS = { namespace: defaults.ingress.controllerNamespace, labels: defaults.ingress.controllerPodLabels };

/** A Pod standing in for a cluster component: its labels are what the policies select (nothing runs it). */
function standInPod(name: string, namespace: string, labels: Record<string, string>) {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, labels },
    spec: { containers: [{ name: 'main', image: 'registry.k8s.io/pause:3.10' }] },
  };
}

function backupPolicy(): BackupPolicy {
  // No endpoint and no credentials: AWS's own S3 on 443 with workload identity, so the backup egress ports are fixed.
  return {
    apiVersion: 'tenantry.io/v1alpha1',
    kind: 'BackupPolicy',
    metadata: { name: POLICY },
    spec: {
      schedule: '0 2 * * *',
      destination: { bucket: 'test-backups', region: 'eu-central-1' },
      retention: { keepDaily: 7 },
    },
  };
}

async function namespaceLabels(name: string): Promise<Record<string, string>> {
  const ns = await getJson<Namespace>('namespace', name);
  if (!ns) throw new Error(`namespace ${name} not found`);
  return ns.metadata?.labels ?? {};
}

/** Reads the pod template of a tenant's role: the app Deployment's, the database StatefulSet's, the backup CronJob's job template. */
async function podTemplate(ns: string, role: TenantRole): Promise<PodTemplateSpec> {
  if (role === 'app') return (await listJson<Deployment>('deployment', ['-n', ns]))[0]!.spec!.template;
  if (role === 'database') return (await listJson<StatefulSet>('statefulset', ['-n', ns]))[0]!.spec!.template;
  return (await listJson<CronJob>('cronjob', ['-n', ns]))[0]!.spec!.jobTemplate.spec!.template;
}

const ROLES: TenantRole[] = ['app', 'database', 'backup'];
const ORIGIN: Record<TenantRole, string> = {
  app: 'Deployment pod template',
  database: 'StatefulSet pod template',
  backup: "CronJob's job template",
};

/** Reads what the operator created and adds the stand-ins: the endpoints of the table. */
async function readEndpoints(): Promise<Endpoint[]> {
  const endpoints: Endpoint[] = [];
  for (const [t, tenant] of TENANTS.entries()) {
    const ns = tenantNamespace(tenant.name);
    const nsLabels = await namespaceLabels(ns);
    for (const [r, role] of ROLES.entries()) {
      const template = await podTemplate(ns, role);
      const peer: EnginePeer = {
        namespace: ns,
        namespaceLabels: nsLabels,
        podLabels: template.metadata?.labels ?? {},
        ip: `10.244.${t + 1}.${r + 10}`,
      };
      endpoints.push({ name: `${ns}/${role}`, kind: 'tenant', tenant: tenant.name, role, peer, origin: ORIGIN[role] });
    }
  }
  const standIn = async (kind: Endpoint['kind'], name: string, ns: string, pod: string, ip: string): Promise<Endpoint> => {
    const got = await getJson<{ metadata: { labels?: Record<string, string> } }>('pod', pod, ns);
    const peer = { namespace: ns, namespaceLabels: await namespaceLabels(ns), podLabels: got?.metadata.labels ?? {}, ip };
    return { name, kind, peer, origin: 'stand-in Pod read back' };
  };
  endpoints.push(
    await standIn(
      'ingress-controller',
      `${INGRESS.namespace}/ingress-controller`,
      INGRESS.namespace,
      'ingress-controller',
      '10.244.100.10',
    ),
  );
  endpoints.push(await standIn('dns', `${DNS.namespace}/kube-dns`, DNS.namespace, 'kube-dns', '10.244.100.53'));
  const service = await getJson<{ spec: { clusterIP: string } }>('service', 'kubernetes', 'default');
  const outside = (kind: Endpoint['kind'], name: string, ip: string): Endpoint => ({ name, kind, peer: { ip }, origin: 'address' });
  endpoints.push(
    outside('metadata', `metadata ${METADATA}`, METADATA),
    outside('apiserver', `API server Service ${service!.spec.clusterIP}`, service!.spec.clusterIP),
    outside('apiserver', `API server endpoint ${API_ENDPOINT}`, API_ENDPOINT),
    outside('internet', `internet ${INTERNET}`, INTERNET),
  );
  return endpoints;
}

/** Reads the NetworkPolicies of the namespaces in the table (other tests' namespaces do not select these pods). */
async function readPolicies(): Promise<NetworkPolicy[]> {
  const namespaces = new Set([...TENANTS.map((t) => tenantNamespace(t.name)), INGRESS.namespace, DNS.namespace]);
  const all = await listJson<NetworkPolicy>('networkpolicy', ['-A']);
  return all
    .filter((p) => namespaces.has(p.metadata!.namespace!))
    .sort((a, b) => `${a.metadata!.namespace}/${a.metadata!.name}`.localeCompare(`${b.metadata!.namespace}/${b.metadata!.name}`));
}

const facts: PromiseFacts = {
  appPort: defaults.appPort,
  databasePort: Object.fromEntries(TENANTS.map((t) => [t.name, t.engine === 'postgres' ? 5432 : 3306])),
  backupEgressPorts: [443],
};
const STAND_IN_PORTS = [
  { port: 80, protocol: 'TCP' },
  { port: 443, protocol: 'TCP' },
  { port: 6443, protocol: 'TCP' },
  OTHER_PORT,
] as const;

/** Runs the engine over everything read back and returns the flows, its answer and the breaches of the promise. */
async function judgeCluster() {
  const [policies, endpoints] = [await readPolicies(), await readEndpoints()];
  const ports = portsInPlay(policies, [...STAND_IN_PORTS]);
  const flows = tableFlows(endpoints, ports);
  const answer = await judgeFlows(policies, flows);
  return { policies, endpoints, ports, flows, answer, breaches: breaches(flows, answer, facts) };
}

describe('isolation: the NetworkPolicies the operator writes, judged by an upstream policy engine', () => {
  let op: TestOperator;

  before(async () => {
    await installPrerequisites();
    await applyObjects([
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: INGRESS.namespace } },
      standInPod('ingress-controller', INGRESS.namespace, INGRESS.labels),
      standInPod('kube-dns', DNS.namespace, DNS.podLabels),
      backupPolicy(),
    ]);
    op = await startOperator({ identity: 'isolation', config, tenantSelector: `${SELECTOR_KEY}=${SELECTOR_VALUE}`, resyncSeconds: 5 });
    await applyObjects(
      TENANTS.map((t) =>
        testTenant(
          t.name,
          { [SELECTOR_KEY]: SELECTOR_VALUE },
          { database: { engine: t.engine }, backupPolicyRef: { name: POLICY }, ...(t.suspended ? { suspend: true } : {}) },
        ),
      ),
    );
    for (const t of TENANTS) {
      const ns = tenantNamespace(t.name);
      // Five tenant policies and three of the backup; the workloads' templates are what the table reads.
      await eventually(
        `${ns}: NetworkPolicies, app, database and backup CronJob`,
        async () =>
          (await listJson('networkpolicy', ['-n', ns])).length === 8 &&
          (await listJson('deployment', ['-n', ns])).length === 1 &&
          (await listJson('statefulset', ['-n', ns])).length === 1 &&
          (await listJson('cronjob', ['-n', ns])).length === 1,
        60_000,
      );
    }
  });
  after(async () => {
    await op?.stop();
  });

  test('every flow from or to a tenant pod is as the promise says; the table is published in docs/isolation.md', async () => {
    const r = await judgeCluster();
    assert.deepEqual(r.breaches.map(describeBreach), []);
    const allowed = r.flows.filter((_, i) => r.answer.results[i]!.allowed).map((f) => f.id);
    // The promise allows exactly these, per running tenant: DNS from each pod, app and backup to the
    // database, backup to the internet on 443, the ingress controller to the app.
    assert.equal(allowed.length, TENANTS.length * (3 * 2 + 2 + 1 + 1), allowed.join('\n'));
    assert.match(r.answer.engine, /cyclonus/);
    const page = renderIsolationPage(r.flows, r.answer, {
      engine: r.answer.engine,
      engineVersion: r.answer.version,
      tenants: [...TENANTS],
      policies: r.policies,
      endpoints: r.endpoints,
      ports: r.ports,
    });
    writeFileSync(join(repoRoot(), 'docs', 'isolation.md'), page);
    process.stdout.write(
      `isolation: ${r.flows.length} flows judged by ${r.answer.engine} ${r.answer.version}, ${allowed.length} allowed\n`,
    );
  });

  test('a NetworkPolicy that lets one tenant into another fails the check, naming both tenants and the rule', async () => {
    const victim = tenantNamespace('iso-maria');
    const intruder = tenantNamespace('iso-pg');
    const rule = 'allow-from-iso-pg';
    await applyObjects([
      {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: { name: rule, namespace: victim },
        spec: {
          podSelector: { matchLabels: { 'app.kubernetes.io/component': 'database' } },
          policyTypes: ['Ingress'],
          ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': intruder } } }] }],
        },
      },
    ]);
    try {
      const r = await judgeCluster();
      const messages = r.breaches.map(describeBreach);
      // Every pod of the intruder, on every port in play, is let in by the victim's side (its own egress policies still stop it).
      assert.equal(messages.length, 3 * r.ports.length, messages.join('\n'));
      for (const m of messages) {
        assert.match(m, /^tenant iso-pg \((app|database|backup)\) -> tenant iso-maria \(database\) on \d+\/(TCP|UDP) is let through/);
        assert.match(m, new RegExp(`by ingress rule ${victim}/${rule}, `));
      }
    } finally {
      await kubectlOk(['delete', 'networkpolicy', rule, '-n', victim, '--ignore-not-found']);
    }
  });

  test("the app's, database's and backup's ServiceAccounts can do only what every authenticated user can, and mount no token", async () => {
    const ns = tenantNamespace('iso-pg');
    const fresh = 'isolation-fresh';
    await kubectlOk(['create', 'serviceaccount', fresh, '-n', ns]);
    try {
      const canI = async (sa: string) =>
        (await kubectlOk(['auth', 'can-i', '--list', `--as=system:serviceaccount:${ns}:${sa}`, '-n', ns])).split('\n').sort().join('\n');
      const baseline = await canI(fresh);
      assert.match(baseline, /selfsubjectaccessreviews/, 'the baseline lists what every authenticated user may do');
      for (const sa of ['app', 'database', 'backup']) {
        assert.equal(await canI(sa), baseline, `ServiceAccount ${sa} has powers beyond a fresh ServiceAccount's`);
        const account = await getJson<ServiceAccount>('serviceaccount', sa, ns);
        assert.equal(account?.automountServiceAccountToken, false, `ServiceAccount ${sa} mounts its token`);
      }
      for (const role of ROLES) {
        const spec = (await podTemplate(ns, role)).spec!;
        assert.equal(spec.automountServiceAccountToken, false, `the ${role} pod template mounts a token`);
        assert.ok(
          !(spec.volumes ?? []).some((v) => v.projected?.sources?.some((s) => s.serviceAccountToken)),
          `the ${role} pod projects a token`,
        );
      }
    } finally {
      const r = await kubectl(['delete', 'serviceaccount', fresh, '-n', ns, '--ignore-not-found']);
      assert.equal(r.code, 0, r.stderr);
    }
  });
});
