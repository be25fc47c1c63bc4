// The pure half of the isolation check: which flows the table asks the engine about, what the
// promise says of each, and how a breach is reported. The engine itself runs in the integration test.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { NetworkPolicy } from 'kubernetes-types/networking/v1.js';
import type { EngineAnswer, FlowVerdict } from '../support/policy-engine.js';
import {
  breaches,
  describeBreach,
  portsInPlay,
  promised,
  tableFlows,
  type Endpoint,
  type PromiseFacts,
  type TableFlow,
} from '../support/policy-engine-table.js';

const pod = (tenant: string, role: 'app' | 'database' | 'backup', ip: string): Endpoint => ({
  name: `tenant-${tenant}/${role}`,
  kind: 'tenant',
  tenant,
  role,
  peer: { namespace: `tenant-${tenant}`, ip },
  origin: 'template',
});
const A_APP = pod('a', 'app', '10.244.1.10');
const A_DB = pod('a', 'database', '10.244.1.11');
const A_BACKUP = pod('a', 'backup', '10.244.1.12');
const B_DB = pod('b', 'database', '10.244.2.11');
const INGRESS: Endpoint = {
  name: 'ingress',
  kind: 'ingress-controller',
  peer: { namespace: 'ingress-nginx', ip: '10.244.9.1' },
  origin: 'pod',
};
const DNS: Endpoint = { name: 'dns', kind: 'dns', peer: { namespace: 'kube-system', ip: '10.244.9.53' }, origin: 'pod' };
const INTERNET: Endpoint = { name: 'internet', kind: 'internet', peer: { ip: '203.0.113.10' }, origin: 'address' };
const METADATA: Endpoint = { name: 'metadata', kind: 'metadata', peer: { ip: '169.254.169.254' }, origin: 'address' };
const facts: PromiseFacts = { appPort: 8080, databasePort: { a: 5432, b: 3306 }, backupEgressPorts: [443] };

const flow = (from: Endpoint, to: Endpoint, port: number, protocol: 'TCP' | 'UDP' = 'TCP'): TableFlow => ({
  id: `${from.name} -> ${to.name}:${port}/${protocol}`,
  source: from.peer,
  destination: to.peer,
  port,
  protocol,
  from,
  to,
});

test('promised: the app and the backup reach their own database on its port, nothing of another tenant', () => {
  assert.equal(promised(flow(A_APP, A_DB, 5432), facts), true);
  assert.equal(promised(flow(A_BACKUP, A_DB, 5432), facts), true);
  assert.equal(promised(flow(A_APP, A_DB, 3306), facts), false);
  assert.equal(promised(flow(A_DB, A_APP, 8080), facts), false);
  assert.equal(promised(flow(A_APP, B_DB, 3306), facts), false);
  assert.equal(promised(flow(A_BACKUP, B_DB, 3306), facts), false);
});

test('promised: DNS only to kube-dns on 53, the internet only for backups on their ports, never the metadata endpoint', () => {
  assert.equal(promised(flow(A_APP, DNS, 53, 'UDP'), facts), true);
  assert.equal(promised(flow(A_DB, DNS, 53, 'TCP'), facts), true);
  assert.equal(promised(flow(A_APP, DNS, 443), facts), false);
  assert.equal(promised(flow(A_BACKUP, INTERNET, 443), facts), true);
  assert.equal(promised(flow(A_BACKUP, INTERNET, 80), facts), false);
  assert.equal(promised(flow(A_APP, INTERNET, 443), facts), false);
  assert.equal(promised(flow(A_BACKUP, METADATA, 443), facts), false);
});

test('promised: into a tenant only the ingress controller, only to the app port', () => {
  assert.equal(promised(flow(INGRESS, A_APP, 8080), facts), true);
  assert.equal(promised(flow(INGRESS, A_DB, 5432), facts), false);
  assert.equal(promised(flow(INTERNET, A_APP, 8080), facts), false);
  assert.equal(promised(flow(DNS, A_APP, 8080), facts), false);
});

test('tableFlows asks about every pair with a tenant pod on every port, never a pair of outsiders or a pod to itself', () => {
  const ports = [
    { port: 53, protocol: 'UDP' as const },
    { port: 443, protocol: 'TCP' as const },
  ];
  const flows = tableFlows([A_APP, B_DB, DNS, INTERNET, METADATA], ports);
  const pairs = new Set(flows.map((f) => `${f.from.name} -> ${f.to.name}`));
  // Two tenant pods: each to the 4 others (8), and 3 others to each (6); nothing between dns, internet and metadata.
  assert.equal(pairs.size, 14);
  assert.equal(flows.length, 28);
  assert.ok(!pairs.has('internet -> metadata') && !pairs.has('dns -> internet'));
  assert.ok(!flows.some((f) => f.from === f.to));
  // The order does not depend on the order endpoints were found in, so the published page is stable.
  const shuffled = tableFlows([METADATA, INTERNET, DNS, B_DB, A_APP], ports);
  assert.deepEqual(
    shuffled.map((f) => f.id),
    flows.map((f) => f.id),
  );
});

test('portsInPlay collects the ports of every rule, adds the extra ones, sorted and once each', () => {
  const np: NetworkPolicy = {
    metadata: { name: 'p', namespace: 'n' },
    spec: {
      podSelector: {},
      policyTypes: ['Egress', 'Ingress'],
      egress: [{ ports: [{ protocol: 'UDP', port: 53 }, { port: 443 }] }],
      ingress: [{ ports: [{ protocol: 'TCP', port: 443 }] }],
    },
  };
  assert.deepEqual(portsInPlay([np], [{ port: 9999, protocol: 'TCP' }]), [
    { port: 53, protocol: 'UDP' },
    { port: 443, protocol: 'TCP' },
    { port: 9999, protocol: 'TCP' },
  ]);
});

test("a breach names both tenants and the rule that let the flow through; an engine's answer out of order is refused", () => {
  const f = flow(A_APP, B_DB, 3306);
  const verdict: FlowVerdict = {
    id: f.id,
    allowed: true,
    egress: { allowed: true, selectedBy: ['tenant-a/default-deny'], allowedBy: ['tenant-a/allow-anything'] },
    ingress: { allowed: true, selectedBy: ['tenant-b/default-deny', 'tenant-b/allow-from-a'], allowedBy: ['tenant-b/allow-from-a'] },
  };
  const answer: EngineAnswer = { engine: 'e', version: 'v', results: [verdict] };
  const found = breaches([f], answer, facts);
  assert.equal(found.length, 1);
  assert.equal(
    describeBreach(found[0]!),
    'tenant a (app) -> tenant b (database) on 3306/TCP is allowed, the promise denies it: allowed by egress rule tenant-a/allow-anything and ingress rule tenant-b/allow-from-a',
  );
  assert.throws(() => breaches([flow(A_APP, A_DB, 5432)], answer, facts), /answered .* where .* was asked/);
  const denied = { ...verdict, id: flow(A_APP, A_DB, 5432).id, allowed: false, egress: { ...verdict.egress, allowed: false } };
  const missing = breaches([flow(A_APP, A_DB, 5432)], { ...answer, results: [denied] }, facts);
  assert.match(describeBreach(missing[0]!), /is denied, the promise allows it: denied by egress of tenant-a\/default-deny$/);
});

test('between two tenant pods, a flow one side lets through is a breach even when the other side still stops it', () => {
  const f = flow(A_APP, B_DB, 3306);
  const verdict: FlowVerdict = {
    id: f.id,
    allowed: false,
    egress: { allowed: false, selectedBy: ['tenant-a/default-deny'], allowedBy: [] },
    ingress: { allowed: true, selectedBy: ['tenant-b/default-deny', 'tenant-b/allow-from-a'], allowedBy: ['tenant-b/allow-from-a'] },
  };
  const found = breaches([f], { engine: 'e', version: 'v', results: [verdict] }, facts);
  assert.equal(
    describeBreach(found[0]!),
    "tenant a (app) -> tenant b (database) on 3306/TCP is let through by ingress rule tenant-b/allow-from-a, the promise denies it on both sides: only the other side's egress policies still stop it",
  );
  // Towards an address outside the pod network only the egress side exists: one side denying is the whole answer.
  const out = flow(A_APP, INTERNET, 443);
  const outVerdict: FlowVerdict = { ...verdict, id: out.id, ingress: { allowed: true, selectedBy: [], allowedBy: [] } };
  assert.deepEqual(breaches([out], { engine: 'e', version: 'v', results: [outVerdict] }, facts), []);
});
