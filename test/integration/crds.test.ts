// Integration test of the hand-written CRDs against a real API server: they install and become
// established, `kubectl explain` shows their descriptions, every sample is accepted, every
// invalid fixture is rejected with a message that names the field, spec.region,
// spec.database.engine and a Restore's spec are immutable, and status is written only through the
// status subresource.
// Objects get names unique to this run, so the file can run next to others on one cluster.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { kubectl, kubectlOk } from '../support/kubectl.js';

/** The repository root: the nearest folder above this file that holds package.json (works from test/ and dist/test/). */
function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the repository root (no package.json above this test)');
    dir = parent;
  }
  return dir;
}

const ROOT = repoRoot();
const CRD_DIR = join(ROOT, 'crds');
const SAMPLES_DIR = join(ROOT, 'deploy', 'samples');
const INVALID_DIR = join(ROOT, 'test', 'integration', 'fixtures', 'invalid');
const CRDS = ['tenants.tenantry.io', 'backuppolicies.tenantry.io', 'restores.tenantry.io'];

/** A suffix unique to this run, so object names do not collide with other test files. */
const RUN = randomBytes(3).toString('hex');
/** Objects this file created for real (kind/name), deleted at the end. */
const created: string[] = [];

function yamlFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml') || f.endsWith('.yml'))
    .sort();
}

/** Reads the `# expect: <substring>` header of an invalid fixture. */
function expectedMessage(text: string, file: string): string {
  const m = /^# expect: (.+)$/m.exec(text.split('\n')[0] ?? '');
  if (!m?.[1]) throw new Error(`${file}: the first line must be "# expect: <substring of the API server's error>"`);
  return m[1].trim();
}

function tenantManifest(name: string, region = 'eu-west-1', engine = 'postgres'): string {
  return JSON.stringify({
    apiVersion: 'tenantry.io/v1alpha1',
    kind: 'Tenant',
    metadata: { name },
    spec: { plan: 'trial', region, host: `${name}.crd-test.example.com`, database: { engine } },
  });
}

/** Creates an object from a JSON/YAML manifest and remembers it for clean-up. */
async function create(ref: string, manifest: string): Promise<void> {
  await kubectlOk(['create', '-f', '-'], manifest);
  created.push(ref);
}

async function sleep(ms: number): Promise<void> {
  await new Promise((r) => setTimeout(r, ms));
}

void describe('CRDs', () => {
  before(async () => {
    await kubectlOk(['apply', '--server-side', '--force-conflicts', '--field-manager=tenantry-crds', '-f', CRD_DIR]);
    for (const crd of CRDS) {
      await kubectlOk(['wait', '--for', 'condition=established', '--timeout=60s', `crd/${crd}`]);
    }
  });

  after(async () => {
    for (const ref of created.reverse()) {
      await kubectl(['delete', ref, '--ignore-not-found', '--wait=false']);
    }
  });

  void test('every CRD is cluster-scoped, has the status subresource and is in the tenantry category', async () => {
    for (const crd of CRDS) {
      const obj = JSON.parse(await kubectlOk(['get', `crd/${crd}`, '-o', 'json'])) as {
        spec: { scope: string; names: { categories?: string[] }; versions: { name: string; subresources?: { status?: object } }[] };
      };
      assert.equal(obj.spec.scope, 'Cluster', crd);
      assert.deepEqual(obj.spec.names.categories, ['tenantry'], crd);
      assert.deepEqual(
        obj.spec.versions.map((v) => v.name),
        ['v1alpha1'],
        crd,
      );
      assert.ok(obj.spec.versions[0]?.subresources?.status, `${crd} has the status subresource`);
    }
  });

  void test('kubectl explain shows the lifecycle fields and their descriptions', async () => {
    // The CRD's OpenAPI is published a little after it is established: retry for a while.
    const fields = ['trialEndsAt', 'cancelledAt', 'paymentFailedAt', 'paidAt', 'lastActiveAt', 'deletionProtection'];
    let last = '';
    for (let i = 0; i < 60; i++) {
      const r = await kubectl(['explain', 'tenant.spec.lifecycle']);
      last = r.stdout + r.stderr;
      if (r.code === 0 && fields.every((f) => r.stdout.includes(f))) break;
      await sleep(1000);
    }
    for (const f of fields) assert.match(last, new RegExp(`\\b${f}\\b`), `explain output mentions ${f}:\n${last}`);
    assert.match(last, /billing system/, 'explain output shows the description');
  });

  void describe('samples are accepted', () => {
    for (const file of yamlFiles(SAMPLES_DIR)) {
      void test(file, async () => {
        await kubectlOk(['apply', '--server-side', '--dry-run=server', '--field-manager=tenantry-crds', '-f', join(SAMPLES_DIR, file)]);
      });
    }
  });

  void test('defaults are filled in', async () => {
    const tenant = JSON.parse(
      await kubectlOk(['create', '--dry-run=server', '-o', 'json', '-f', '-'], tenantManifest(`crdtest-defaults-${RUN}`)),
    ) as { spec: { app: { replicas: number }; suspend: boolean; lifecycle: { deletionProtection: boolean } } };
    assert.equal(tenant.spec.app.replicas, 1);
    assert.equal(tenant.spec.suspend, false);
    assert.equal(tenant.spec.lifecycle.deletionProtection, false);

    const policy = JSON.parse(
      await kubectlOk(
        ['create', '--dry-run=server', '-o', 'json', '-f', '-'],
        JSON.stringify({
          apiVersion: 'tenantry.io/v1alpha1',
          kind: 'BackupPolicy',
          metadata: { name: `crdtest-defaults-${RUN}` },
          spec: { schedule: '0 2 * * *', destination: { bucket: 'example-bucket', region: 'eu-west-1' }, retention: { keepLast: 7 } },
        }),
      ),
    ) as { spec: { timeZone: string; verify: boolean; suspend: boolean } };
    assert.equal(policy.spec.timeZone, 'UTC');
    assert.equal(policy.spec.verify, true);
    assert.equal(policy.spec.suspend, false);

    const restore = JSON.parse(
      await kubectlOk(
        ['create', '--dry-run=server', '-o', 'json', '-f', '-'],
        JSON.stringify({
          apiVersion: 'tenantry.io/v1alpha1',
          kind: 'Restore',
          metadata: { name: `crdtest-defaults-${RUN}` },
          spec: { tenant: 'acme', target: { newTenant: 'acme-copy' } },
        }),
      ),
    ) as { spec: { backupId: string } };
    assert.equal(restore.spec.backupId, 'latest');
  });

  void describe('invalid manifests are rejected with a message naming the field', () => {
    const files = yamlFiles(INVALID_DIR);
    void test('there are at least 30 invalid fixtures', () => {
      assert.ok(files.length >= 30, `only ${files.length} fixtures`);
    });
    for (const file of files) {
      void test(file, async () => {
        const text = readFileSync(join(INVALID_DIR, file), 'utf8');
        const expect = expectedMessage(text, file);
        const r = await kubectl(['create', '--dry-run=server', '-f', '-'], text);
        assert.notEqual(r.code, 0, `${file} was accepted:\n${r.stdout}`);
        assert.ok(r.stderr.includes(expect), `${file}: stderr does not contain "${expect}":\n${r.stderr}`);
      });
    }
  });

  void test('spec.region of a Tenant cannot be changed or removed', async () => {
    const name = `crdtest-region-${RUN}`;
    await create(`tenant/${name}`, tenantManifest(name, 'eu-central-1'));

    const change = await kubectl(['patch', 'tenant', name, '--type', 'merge', '-p', '{"spec":{"region":"us-east-1"}}']);
    assert.notEqual(change.code, 0, 'changing spec.region was accepted');
    assert.match(change.stderr, /spec\.region is immutable/);
    assert.match(change.stderr, /data residency/);

    const remove = await kubectl(['patch', 'tenant', name, '--type', 'json', '-p', '[{"op":"remove","path":"/spec/region"}]']);
    assert.notEqual(remove.code, 0, 'removing spec.region was accepted');
    assert.match(remove.stderr, /spec\.region: Required value/);

    const region = await kubectlOk(['get', 'tenant', name, '-o', 'jsonpath={.spec.region}']);
    assert.equal(region, 'eu-central-1');

    // Other fields stay mutable: the billing system writes plan and lifecycle timestamps.
    await kubectlOk([
      'patch', 'tenant', name, '--type', 'merge',
      '-p', '{"spec":{"plan":"paid","lifecycle":{"paidAt":"2025-06-01T00:00:00Z"}}}',
    ]);
  });

  void test('review 11: spec.database.engine of a Tenant cannot change, not even by adding or removing spec.database', async () => {
    const name = `crdtest-engine-${RUN}`;
    await create(`tenant/${name}`, tenantManifest(name));

    const change = await kubectl(['patch', 'tenant', name, '--type', 'merge', '-p', '{"spec":{"database":{"engine":"mariadb"}}}']);
    assert.notEqual(change.code, 0, 'changing spec.database.engine was accepted');
    assert.match(change.stderr, /spec\.database\.engine is immutable/);
    // The message says how to move engines, and that a restore cannot do it either.
    assert.match(change.stderr, /restore cannot cross engines/);
    assert.match(change.stderr, /create a new Tenant with the other engine/);
    assert.equal(await kubectlOk(['get', 'tenant', name, '-o', 'jsonpath={.spec.database.engine}']), 'postgres');

    // Without spec.database a tenant runs PostgreSQL: removing the block from a MariaDB tenant,
    // or adding a MariaDB block to a tenant created without one, would change the engine too.
    const removed = await kubectl(['patch', 'tenant', name, '--type', 'json', '-p', '[{"op":"remove","path":"/spec/database"}]']);
    assert.equal(removed.code, 0, `removing spec.database of a postgres tenant keeps its engine:\n${removed.stderr}`);
    const added = await kubectl(['patch', 'tenant', name, '--type', 'merge', '-p', '{"spec":{"database":{"engine":"mariadb"}}}']);
    assert.notEqual(added.code, 0, 'adding spec.database with another engine was accepted');
    assert.match(added.stderr, /spec\.database\.engine is immutable/);

    const maria = `crdtest-engine-maria-${RUN}`;
    await create(`tenant/${maria}`, tenantManifest(maria, 'eu-west-1', 'mariadb'));
    const dropped = await kubectl(['patch', 'tenant', maria, '--type', 'json', '-p', '[{"op":"remove","path":"/spec/database"}]']);
    assert.notEqual(dropped.code, 0, 'removing spec.database of a mariadb tenant (making it postgres) was accepted');
    assert.match(dropped.stderr, /spec\.database\.engine is immutable/);

    // The rest of spec.database stays writable, and so does the same engine spelled again.
    await kubectlOk(['patch', 'tenant', maria, '--type', 'merge', '-p', '{"spec":{"database":{"engine":"mariadb","version":"11.4","storageSize":"20Gi"}}}']);
    await kubectlOk(['patch', 'tenant', name, '--type', 'merge', '-p', '{"spec":{"database":{"engine":"postgres","version":"16"}}}']);
  });

  void test('the spec of a Restore cannot change, its metadata can', async () => {
    const name = `crdtest-restore-${RUN}`;
    await create(
      `restore/${name}`,
      JSON.stringify({
        apiVersion: 'tenantry.io/v1alpha1',
        kind: 'Restore',
        metadata: { name },
        spec: { tenant: `crdtest-missing-${RUN}`, target: { inPlace: true } },
      }),
    );
    const r = await kubectl(['patch', 'restore', name, '--type', 'merge', '-p', '{"spec":{"backupId":"b-20250101"}}']);
    assert.notEqual(r.code, 0, 'changing a Restore spec was accepted');
    assert.match(r.stderr, /spec is immutable; create a new Restore/);
    // Labels, annotations and finalizers are still writable (the controller needs them).
    await kubectlOk(['label', 'restore', name, `tenantry.io/test=${RUN}`]);
  });

  void test('status is written only through the status subresource', async () => {
    const name = `crdtest-status-${RUN}`;
    await create(`tenant/${name}`, tenantManifest(name));

    // A write of .status to the main resource is accepted but ignored.
    await kubectlOk(['patch', 'tenant', name, '--type', 'merge', '-p', '{"status":{"phase":"Erased"}}']);
    assert.notEqual(await kubectlOk(['get', 'tenant', name, '-o', 'jsonpath={.status.phase}']), 'Erased');

    await kubectlOk([
      'patch', 'tenant', name, '--subresource=status', '--type', 'merge',
      '-p', '{"status":{"phase":"Ready","conditions":[{"type":"Ready","status":"True","reason":"Provisioned","message":"ok","lastTransitionTime":"2025-06-01T00:00:00Z"}]}}',
    ]);
    assert.equal(await kubectlOk(['get', 'tenant', name, '-o', 'jsonpath={.status.phase}']), 'Ready');
    // The Ready printer column reads the Ready condition.
    const table = await kubectlOk(['get', 'tenant', name]);
    assert.match(table.split('\n')[0] ?? '', /PHASE\s+PLAN\s+REGION\s+HOST\s+READY\s+LAST BACKUP\s+AGE/);
    assert.match(table.split('\n')[1] ?? '', /Ready\s+trial\s+eu-west-1\s+\S+\s+True/);

    // The status schema is validated too.
    const bad = await kubectl(['patch', 'tenant', name, '--subresource=status', '--type', 'merge', '-p', '{"status":{"phase":"Happy"}}']);
    assert.notEqual(bad.code, 0, 'an unknown status.phase was accepted');
    assert.match(bad.stderr, /status\.phase: Unsupported value/);
  });
});
