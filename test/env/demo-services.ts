// The cloud of `npm start`: KMS and S3 (and the database servers) join the demo once built and
// started, behind relays whose ports the operator configuration already names. Then the keys and
// buckets the samples name are created, as the tests create theirs, and the BackupPolicies'
// credentials Secret is written to the operator's namespace, so the sample policy recovers from
// BackupStoreUnreadable on the operator's next pass.
import { CreateBucketCommand, HeadBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateAliasCommand, CreateKeyCommand, DescribeKeyCommand, KMSClient, ListKeysCommand } from '@aws-sdk/client-kms';
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureBinaries } from './build.js';
import type { Relay } from './demo-relay.js';
import { freePort } from './controlplane.js';
import { isAlive, sleep } from './proc.js';
import { startServices, type Services } from './services.js';

/** What the samples need from the cloud. */
export interface DemoCloudNeeds {
  /** Buckets to create (plain, like the tests' backup bucket). */
  buckets: string[];
  /** The region of the samples' backups, whose KMS the agent and the operator use, and the aliases to create in it. */
  kms: { region: string; aliases: string[] };
  /** Secret in `namespace` holding the S3 server's credentials (a BackupPolicy's credentialsSecretRef). */
  credentialsSecret: { namespace: string; name: string };
}

/** Where the demo's services listen for clients: relays started before the services exist. */
export interface DemoRelays {
  kms: Relay;
  s3: Relay;
}

/**
 * Starts one more local-kms for the region of the samples' backups, recorded among the services'
 * processes so `env:down` stops it. The environment's KMS serves the tests' region only, and the
 * agent rightly refuses a key whose ARN names another region than the tenant's (P8).
 */
async function startRegionKms(dir: string, bin: string, region: string, services: Services): Promise<Services['kms']> {
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const log = join(dir, 'kms.log');
  const fd = openSync(log, 'a');
  const child = spawn(bin, [], {
    detached: true,
    stdio: ['ignore', fd, fd],
    env: { ...process.env, KMS_LISTEN: `127.0.0.1:${port}`, KMS_REGION: region, KMS_DATA_PATH: join(dir, 'data') },
  });
  closeSync(fd);
  child.unref();
  if (child.pid === undefined) throw new Error(`cannot start ${bin}`);
  services.processes.push({ name: `kms-${region}`, pid: child.pid, log });
  const kms = { endpoint: `http://127.0.0.1:${port}`, region, keys: {} };
  const client = kmsClient(kms);
  try {
    for (let i = 0; ; i++) {
      if (
        await client.send(new ListKeysCommand({})).then(
          () => true,
          () => false,
        )
      )
        return kms;
      if (!isAlive(child.pid) || i > 300) throw new Error(`the KMS for ${region} did not start; see ${log}`);
      await sleep(100);
    }
  } finally {
    client.destroy();
  }
}

/** A KMS client for the emulator (which takes any credentials). */
function kmsClient(kms: Services['kms']): KMSClient {
  return new KMSClient({ region: kms.region, endpoint: kms.endpoint, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
}

/** Creates every alias the emulator does not hold yet, each on a key of its own. */
async function ensureKmsAliases(kms: Services['kms'], aliases: string[]): Promise<void> {
  const client = new KMSClient({
    region: kms.region,
    endpoint: kms.endpoint,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  try {
    for (const alias of aliases) {
      const exists = await client.send(new DescribeKeyCommand({ KeyId: alias })).then(
        () => true,
        () => false,
      );
      if (exists) continue;
      const key = await client.send(new CreateKeyCommand({ Description: `Tenantry demo key ${alias}` }));
      await client.send(new CreateAliasCommand({ AliasName: alias, TargetKeyId: key.KeyMetadata!.KeyId! }));
    }
  } finally {
    client.destroy();
  }
}

/** Creates every bucket that does not exist yet. */
async function ensureBuckets(s3: Services['s3'], buckets: string[]): Promise<void> {
  const client = new S3Client({ region: s3.region, endpoint: s3.endpoint, forcePathStyle: true, credentials: s3 });
  try {
    for (const bucket of buckets) {
      const exists = await client.send(new HeadBucketCommand({ Bucket: bucket })).then(
        () => true,
        () => false,
      );
      if (!exists) await client.send(new CreateBucketCommand({ Bucket: bucket }));
    }
  } finally {
    client.destroy();
  }
}

/** Writes the credentials Secret (and its namespace) with server-side apply, so a rerun updates it. */
async function applyCredentialsSecret(kubectl: string, kubeconfig: string, s3: Services['s3'], ref: DemoCloudNeeds['credentialsSecret']) {
  const objects = [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ref.namespace } },
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: ref.name, namespace: ref.namespace },
      type: 'Opaque',
      stringData: { AWS_ACCESS_KEY_ID: s3.accessKeyId, AWS_SECRET_ACCESS_KEY: s3.secretAccessKey },
    },
  ];
  // Through stdin: the Secret never appears on a command line other users could read.
  const child = spawn(
    kubectl,
    ['--kubeconfig', kubeconfig, 'apply', '--server-side', '--force-conflicts', '--field-manager=tenantry-start', '-f', '-'],
    {
      stdio: ['pipe', 'ignore', 'pipe'],
    },
  );
  let err = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  child.stdin.end(JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  });
  if (code !== 0) throw new Error(`kubectl apply of Secret ${ref.namespace}/${ref.name} failed (${code}): ${err.trim()}`);
}

/**
 * Builds (if needed) and starts KMS, S3, PostgreSQL and MariaDB in `dir` (unless `running` already), points the relays at them
 * and creates what the samples need. Returns the running services (the caller records them so
 * `npm run env:down` stops them).
 */
export async function startDemoCloud(
  dir: string,
  relays: DemoRelays,
  cluster: { kubectl: string; kubeconfig: string },
  needs: DemoCloudNeeds,
  onStarted: (s: Services) => void,
  running?: Services,
): Promise<Services> {
  let services = running;
  if (!services) {
    services = await startServices(join(dir, 'services'), await ensureBinaries(['kms', 'weed']));
    onStarted(services);
  }
  const name = `kms-${needs.kms.region}`;
  const earlier = services.processes.find((p) => p.name === name);
  // A KMS of an earlier `npm start` keeps its keys (and so the backups made under them readable): its log names its port.
  const earlierPort = earlier && /listening on 127\.0\.0\.1:(\d+)/.exec(readFileSync(earlier.log, 'utf8'))?.[1];
  const regionKms = earlierPort
    ? { endpoint: `http://127.0.0.1:${earlierPort}`, region: needs.kms.region, keys: {} }
    : await startRegionKms(join(dir, 'services', name), (await ensureBinaries(['kms'])).kms, needs.kms.region, services);
  onStarted(services);
  await ensureKmsAliases(regionKms, needs.kms.aliases);
  relays.kms.setTarget(Number(new URL(regionKms.endpoint).port));
  // SeaweedFS encrypts SSE-KMS objects with the environment's KMS: the aliases exist there too.
  await ensureKmsAliases(services.kms, needs.kms.aliases);
  await ensureBuckets(services.s3, needs.buckets);
  relays.s3.setTarget(Number(new URL(services.s3.endpoint).port));
  await applyCredentialsSecret(cluster.kubectl, cluster.kubeconfig, services.s3, needs.credentialsSecret);
  return services;
}
