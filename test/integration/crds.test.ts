// Integration test of the hand-written CRDs against a real API server: they install and become
// established, `kubectl explain` shows their descriptions, every sample is accepted, every
// invalid fixture is rejected with a message that names the field, spec.region,
// spec.database.engine and a Restore's spec are immutable, tables of schedules, time zones and
// prefixes get the verdicts the controller's own check (and the CronJob API) gives, and status is
// written only through the status subresource.
// Objects get names unique to this run, so the file can run next to others on one cluster.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseSchedule } from '../../src/backup/schedule.js';
import { repoRoot } from '../env/paths.js';
import { kubectl, kubectlOk } from '../support/kubectl.js';

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

/** A valid BackupPolicy with the given schedule, time zone and prefix. */
function policyManifest(name: string, f: { schedule?: string; timeZone?: string; prefix?: string }): string {
  return JSON.stringify({
    apiVersion: 'tenantry.io/v1alpha1',
    kind: 'BackupPolicy',
    metadata: { name },
    spec: {
      schedule: f.schedule ?? '0 2 * * *',
      timeZone: f.timeZone ?? 'UTC',
      destination: { bucket: 'example-backups', region: 'eu-west-1', ...(f.prefix === undefined ? {} : { prefix: f.prefix }) },
      retention: { keepDaily: 7 },
    },
  });
}

/** A CronJob with the given schedule and time zone, to ask the CronJob API what it accepts. */
function cronJobManifest(name: string, schedule: string, timeZone: string): string {
  return JSON.stringify({
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name, namespace: 'default' },
    spec: {
      schedule,
      timeZone,
      jobTemplate: { spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'example.com/c:1' }] } } } },
    },
  });
}

/** Sends a manifest to the API server as a dry-run create: undefined when accepted, else the error. */
async function admissionError(manifest: string): Promise<string | undefined> {
  const r = await kubectl(['create', '--dry-run=server', '-f', '-'], manifest);
  return r.code === 0 ? undefined : r.stderr;
}

/** One row of an admission table: a value, whether the API server must accept it, and what a refusal names. */
interface AdmissionCase {
  value: string;
  accept: boolean;
  /** A substring the refusal must contain: the field, and the part of it that is wrong. */
  names?: string;
  /** Whether the CronJob API accepts it (the schedule or zone would fail later when it does not); defaults to accept. */
  cronJob?: boolean;
  /** Why parseSchedule (the runtime check) decides otherwise; unset means it decides the same. */
  runtimeDiffers?: string;
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
      'patch',
      'tenant',
      name,
      '--type',
      'merge',
      '-p',
      '{"spec":{"plan":"paid","lifecycle":{"paidAt":"2025-06-01T00:00:00Z"}}}',
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
    await kubectlOk([
      'patch',
      'tenant',
      maria,
      '--type',
      'merge',
      '-p',
      '{"spec":{"database":{"engine":"mariadb","version":"11.4","storageSize":"20Gi"}}}',
    ]);
    await kubectlOk(['patch', 'tenant', name, '--type', 'merge', '-p', '{"spec":{"database":{"engine":"postgres","version":"16"}}}']);
  });

  void describe('review 16: a BackupPolicy that could only fail later is refused at admission, naming the field', () => {
    const minute = 'spec.schedule: the minute field must be 0-59';
    const hour = 'spec.schedule: the hour field must be 0-23';
    const dom = 'spec.schedule: the day-of-month field must be 1-31 or ?';
    const month = 'spec.schedule: the month field must be 1-12 or JAN-DEC';
    const dow = 'spec.schedule: the day-of-week field must be 0-6 (0 = Sunday) or SUN-SAT, or ?';
    const shape = 'spec.schedule must be a cron expression of exactly 5 fields';
    const schedules: AdmissionCase[] = [
      { value: '0 2 * * *', accept: true },
      { value: '*/15 2-4 * * MON-FRI', accept: true },
      { value: '0 3 1,15 * *', accept: true },
      { value: '30 1 ? * sun', accept: true },
      { value: '0 0 * jan-MAR 1-5/2', accept: true },
      { value: '5/15 * * * *', accept: true },
      { value: '0 0 ?/2 * *', accept: true },
      { value: '0\t2  * * *', accept: true },
      { value: '59 23 31 12 6', accept: true },
      { value: '0-59/30 0,12 1-7 */3 SAT', accept: true },
      { value: '*/90 * * * *', accept: true },
      { value: '61 2 * * *', accept: false, names: `${minute} (got "61")` },
      { value: '60 * * * *', accept: false, names: minute },
      { value: '5-3 * * * *', accept: false, names: minute },
      { value: '*/0 * * * *', accept: false, names: minute },
      { value: '1-2-3 * * * *', accept: false, names: minute },
      { value: '0 24 * * *', accept: false, names: `${hour} (got "24")` },
      { value: '0 2 0 * *', accept: false, names: `${dom} (got "0")` },
      { value: '0 2 32 * *', accept: false, names: `${dom} (got "32")` },
      // robfig/cron skips an empty list item; schedule.ts refuses it, and so does the CRD.
      { value: '0 2 1,,2 * *', accept: false, names: dom, cronJob: true },
      { value: '0 2 * 13 *', accept: false, names: `${month} (got "13")` },
      { value: '0 2 * 0 *', accept: false, names: month },
      { value: '0 2 * foo *', accept: false, names: month },
      { value: '0 2 * janfeb *', accept: false, names: month },
      { value: '0 2 * * 7', accept: false, names: `${dow} (got "7")` },
      { value: '0 2 * * 0-7', accept: false, names: dow },
      { value: '0 2 * * sat-sun', accept: false, names: dow },
      { value: '0 2 * * sunday', accept: false, names: dow },
      { value: '0 2 * * MON/0', accept: false, names: dow },
      // The CronJob API takes descriptors; the runtime check refuses them, and so has the CRD.
      { value: '@daily', accept: false, names: shape, cronJob: true },
      { value: 'CRON_TZ=UTC 0 2 * * *', accept: false, names: shape },
      { value: '0 0 2 * * *', accept: false, names: shape },
      {
        value: '0 0 30 2 *',
        accept: true,
        cronJob: true,
        runtimeDiffers:
          'every field is in range; that no February has a 30th shows only in the whole, reported as ScheduleInvalid in status',
      },
      {
        value: ' 0 2 * * *',
        accept: false,
        names: shape,
        cronJob: true,
        runtimeDiffers: 'parseSchedule trims; the CRD has always refused surrounding blanks',
      },
    ];
    const zone = 'spec.timeZone must be an IANA time zone name such as UTC or Europe/Berlin';
    const timeZones: AdmissionCase[] = [
      { value: 'UTC', accept: true },
      { value: 'Etc/UTC', accept: true },
      { value: 'Europe/Berlin', accept: true },
      // Current IANA names that Intl lists under an older spelling (America/Buenos_Aires, Asia/Calcutta, Europe/Kiev).
      { value: 'America/Argentina/Buenos_Aires', accept: true },
      { value: 'America/Buenos_Aires', accept: true },
      { value: 'Asia/Kolkata', accept: true },
      { value: 'Europe/Kyiv', accept: true },
      { value: 'America/Indiana/Indianapolis', accept: true },
      { value: 'Etc/GMT+5', accept: true },
      { value: 'US/Eastern', accept: true },
      {
        value: 'Mars/Olympus',
        accept: false,
        names: `${zone} (case-sensitive, not an offset or abbreviation); "Mars/Olympus" is not in the time zone database`,
        cronJob: false,
      },
      { value: 'europe/berlin', accept: false, names: zone, cronJob: false },
      { value: '+02:00', accept: false, names: zone, cronJob: false },
      // tzdata's placeholder for "no zone configured": Go loads it, neither Intl nor the CRD takes it.
      { value: 'Factory', accept: false, names: zone, cronJob: true },
      {
        value: 'PST',
        accept: false,
        names: zone,
        cronJob: false,
        runtimeDiffers: "ICU resolves the legacy ID PST, Go's time.LoadLocation does not: the CronJob would be refused",
      },
    ];

    void test('schedules: each cron field is checked on its own, as the CronJob API does, and agrees with parseSchedule', async () => {
      for (const [i, c] of schedules.entries()) {
        const value = c.value;
        const err = await admissionError(policyManifest(`crdtest-r16-schedule-${i}-${RUN}`, { schedule: value }));
        assert.equal(err === undefined, c.accept, `schedule ${JSON.stringify(value)}: ${err ?? 'accepted'}`);
        if (c.names !== undefined)
          assert.ok(
            err?.includes(c.names),
            `schedule ${JSON.stringify(value)}: the error does not contain ${JSON.stringify(c.names)}:\n${err}`,
          );
        const runtime = parseSchedule(value, 'UTC').ok;
        if (c.runtimeDiffers === undefined) assert.equal(runtime, c.accept, `parseSchedule disagrees on ${JSON.stringify(value)}`);
        else
          assert.notEqual(
            runtime,
            c.accept,
            `${JSON.stringify(value)} is listed as a known difference (${c.runtimeDiffers}) but parseSchedule agrees`,
          );
        const cron = await admissionError(cronJobManifest(`crdtest-r16-cron-${i}-${RUN}`, value, 'UTC'));
        assert.equal(cron === undefined, c.cronJob ?? c.accept, `CronJob API on ${JSON.stringify(value)}: ${cron ?? 'accepted'}`);
      }
    });

    void test('time zones: only names of the IANA time zone database, spelled as the CronJob API needs them', async () => {
      for (const [i, c] of timeZones.entries()) {
        const err = await admissionError(policyManifest(`crdtest-r16-zone-${i}-${RUN}`, { timeZone: c.value }));
        assert.equal(err === undefined, c.accept, `timeZone ${c.value}: ${err ?? 'accepted'}`);
        if (c.names !== undefined)
          assert.ok(err?.includes(c.names), `timeZone ${c.value}: the error does not contain ${JSON.stringify(c.names)}:\n${err}`);
        const runtime = parseSchedule('0 2 * * *', c.value).ok;
        if (c.runtimeDiffers === undefined) assert.equal(runtime, c.accept, `parseSchedule disagrees on ${c.value}`);
        else
          assert.notEqual(runtime, c.accept, `${c.value} is listed as a known difference (${c.runtimeDiffers}) but parseSchedule agrees`);
        const cron = await admissionError(cronJobManifest(`crdtest-r16-tz-${i}-${RUN}`, '0 2 * * *', c.value));
        assert.equal(cron === undefined, c.cronJob ?? c.accept, `CronJob API on ${c.value}: ${cron ?? 'accepted'}`);
      }
    });

    void test("prefixes: no empty, '.' or '..' segment and no control character", async () => {
      const segment = "spec.destination.prefix must not have an empty, '.' or '..' segment";
      const control = 'spec.destination.prefix must not contain control characters';
      const prefixes: AdmissionCase[] = [
        { value: 'team-a/backups', accept: true },
        { value: 'tenantry/prod', accept: true },
        // One trailing slash is dropped when keys are built (layout.ts), so it makes no empty segment.
        { value: 'tenantry/prod/', accept: true },
        { value: 'v1.2/a..b/.hidden', accept: true },
        { value: '', accept: true },
        { value: '../other-tenant', accept: false, names: `${segment} (got "../other-tenant")` },
        { value: 'a//b', accept: false, names: segment },
        { value: './x', accept: false, names: segment },
        { value: 'a/./b', accept: false, names: segment },
        { value: 'a/..', accept: false, names: segment },
        { value: '..', accept: false, names: segment },
        { value: 'a//', accept: false, names: segment },
        { value: 'tenantry/prod\n', accept: false, names: control },
        { value: 'tenantry/\u0007bell', accept: false, names: control },
        { value: 'tenantry/\u007f', accept: false, names: control },
        { value: 'tenantry/\u0085', accept: false, names: control },
        { value: '/tenantry', accept: false, names: "spec.destination.prefix must not start with '/'" },
      ];
      for (const [i, c] of prefixes.entries()) {
        const err = await admissionError(policyManifest(`crdtest-r16-prefix-${i}-${RUN}`, { prefix: c.value }));
        assert.equal(err === undefined, c.accept, `prefix ${JSON.stringify(c.value)}: ${err ?? 'accepted'}`);
        if (c.names !== undefined)
          assert.ok(
            err?.includes(c.names),
            `prefix ${JSON.stringify(c.value)}: the error does not contain ${JSON.stringify(c.names)}:\n${err}`,
          );
      }
    });
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
      'patch',
      'tenant',
      name,
      '--subresource=status',
      '--type',
      'merge',
      '-p',
      '{"status":{"phase":"Ready","lifecycle":{"phase":"Suspended","eraseAt":"2030-02-12T00:00:00Z"},"conditions":[{"type":"Ready","status":"True","reason":"Provisioned","message":"ok","lastTransitionTime":"2025-06-01T00:00:00Z"}]}}',
    ]);
    assert.equal(await kubectlOk(['get', 'tenant', name, '-o', 'jsonpath={.status.phase}']), 'Ready');
    // The Ready printer column reads the Ready condition; Lifecycle and Erase At read status.lifecycle (the
    // erase time as written, not as an age: a date column in the future would show <invalid>).
    const table = await kubectlOk(['get', 'tenant', name]);
    assert.match(table.split('\n')[0] ?? '', /PHASE\s+LIFECYCLE\s+ERASE AT\s+PLAN\s+REGION\s+HOST\s+READY\s+LAST BACKUP\s+AGE/);
    assert.match(table.split('\n')[1] ?? '', /Ready\s+Suspended\s+2030-02-12T00:00:00Z\s+trial\s+eu-west-1\s+\S+\s+True/);

    // The status schema is validated too.
    const bad = await kubectl(['patch', 'tenant', name, '--subresource=status', '--type', 'merge', '-p', '{"status":{"phase":"Happy"}}']);
    assert.notEqual(bad.code, 0, 'an unknown status.phase was accepted');
    assert.match(bad.stderr, /status\.phase: Unsupported value/);
  });
});
