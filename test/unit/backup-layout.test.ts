// Where a tenant's backups live in the bucket, and the manifest that commits each one: every key is
// built in one place and every key read back is checked against the tenant it should belong to, so
// no listing, prune or restore of one tenant can reach another's objects.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  assertBackupId,
  backupIdTime,
  backupPrefix,
  manifestKey,
  newBackupId,
  parseTenantKey,
  partKey,
  tenantPrefix,
} from '../../src/backup/layout.js';
import { MANIFEST_FORMAT, parseManifest, plaintextBytes, storedBytes, type BackupManifest } from '../../src/backup/manifest.js';

const ID = '20261126T020000Z-a1b2c3';
const SHA_A = 'a'.repeat(64);
const SHA_B = 'b'.repeat(64);

// --- tenantPrefix ---------------------------------------------------------------------------

const prefixRows: { prefix: string | undefined; tenant: string; want: string }[] = [
  { prefix: undefined, tenant: 'acme', want: 'acme/' },
  { prefix: '', tenant: 'acme', want: 'acme/' },
  { prefix: '/', tenant: 'acme', want: 'acme/' },
  { prefix: 'backups', tenant: 'acme', want: 'backups/acme/' },
  { prefix: 'backups/', tenant: 'acme', want: 'backups/acme/' },
  { prefix: '/backups', tenant: 'acme', want: 'backups/acme/' },
  { prefix: '//backups//', tenant: 'acme', want: 'backups/acme/' },
  { prefix: 'prod/eu', tenant: 'acme-2', want: 'prod/eu/acme-2/' },
  { prefix: 'prod/eu/', tenant: 'a', want: 'prod/eu/a/' },
  { prefix: undefined, tenant: '0tenant9', want: '0tenant9/' },
];

for (const r of prefixRows) {
  test(`tenantPrefix(${JSON.stringify(r.prefix)}, ${r.tenant}) is ${r.want}`, () => {
    assert.equal(tenantPrefix(r.prefix, r.tenant), r.want);
  });
}

// A name that is not a DNS label could climb out of the tenant's prefix or share another's.
const badTenants = ['', 'Acme', 'acme/', '../acme', 'acme/..', '-acme', 'acme-', 'ac me', 'acme.eu', '*', 'acme\n'];
for (const tenant of badTenants) {
  test(`tenantPrefix refuses the tenant name ${JSON.stringify(tenant)}`, () => {
    assert.throws(() => tenantPrefix('backups', tenant), {
      message: new RegExp(`^invalid tenant name ${escape(JSON.stringify(tenant))}: must be a DNS label$`),
    });
  });
}

// --- backup ids -----------------------------------------------------------------------------

const idRows: { name: string; startedAt: string; random: Buffer; want: string }[] = [
  { name: 'whole seconds', startedAt: '2026-11-26T02:00:00Z', random: Buffer.from([0xa1, 0xb2, 0xc3]), want: '20261126T020000Z-a1b2c3' },
  { name: 'milliseconds dropped', startedAt: '2026-11-26T02:00:04.987Z', random: Buffer.from([0, 0, 1]), want: '20261126T020004Z-000001' },
  {
    name: 'only the first three random bytes',
    startedAt: '2026-01-02T03:04:05Z',
    random: Buffer.from([0xff, 0xee, 0xdd, 0xcc, 0xbb]),
    want: '20260102T030405Z-ffeedd',
  },
  { name: 'end of a leap year', startedAt: '2028-12-31T23:59:59.999Z', random: Buffer.from([1, 2, 3]), want: '20281231T235959Z-010203' },
];

for (const r of idRows) {
  test(`newBackupId: ${r.name}`, () => {
    const id = newBackupId(new Date(r.startedAt), r.random);
    assert.equal(id, r.want);
    assert.doesNotThrow(() => assertBackupId(id));
    // The id carries its start time to the second.
    assert.equal(backupIdTime(id).toISOString(), new Date(r.startedAt).toISOString().replace(/\.\d{3}Z$/, '.000Z'));
  });
}

test('backup ids sort by start time, so the newest is last in a listing', () => {
  const times = [
    '2025-12-31T23:59:59Z',
    '2026-01-01T00:00:00Z',
    '2026-01-01T00:00:01Z',
    '2026-02-10T09:00:00Z',
    '2026-10-01T00:00:00Z',
    '2026-11-26T02:00:00Z',
  ];
  // Random parts chosen to run against time order: the time must decide.
  const randoms = [
    [0xff, 0xff, 0xff],
    [0, 0, 0],
    [0xf0, 0, 0],
    [0x10, 0, 0],
    [0xee, 0, 0],
    [0x01, 0, 0],
  ];
  const ids = times.map((t, i) => newBackupId(new Date(t), Buffer.from(randoms[i]!)));
  assert.deepEqual([...ids].reverse().sort(), ids);
  for (const [i, id] of ids.entries()) assert.equal(backupIdTime(id).toISOString(), new Date(times[i]!).toISOString());
});

test('backupIdTime round-trips every second of a day across a month boundary', () => {
  for (let t = Date.parse('2026-01-31T22:00:00Z'); t < Date.parse('2026-02-01T02:00:00Z'); t += 997_000) {
    const startedAt = new Date(t);
    assert.equal(backupIdTime(newBackupId(startedAt, Buffer.from([1, 2, 3]))).getTime(), Math.floor(t / 1000) * 1000);
  }
});

const badIds = [
  '',
  'latest',
  '20261126T020000Z',
  '20261126T020000Z-a1b2c',
  '20261126T020000Z-a1b2c3d',
  '20261126T020000Z-A1B2C3',
  '20261126T020000-a1b2c3',
  '2026-11-26T02:00:00Z-a1b2c3',
  `${ID}/`,
  `../${ID}`,
  ` ${ID}`,
];
for (const id of badIds) {
  test(`assertBackupId and backupIdTime refuse ${JSON.stringify(id)}`, () => {
    assert.throws(() => assertBackupId(id), /^Error: invalid backup id .*expected e\.g\. 20261126T020000Z-a1b2c3$/);
    assert.throws(() => backupIdTime(id), /invalid backup id/);
    assert.throws(() => backupPrefix('backups', 'acme', id), /invalid backup id/);
  });
}

// --- keys -----------------------------------------------------------------------------------

const keyRows: { prefix: string | undefined; backupPrefix: string; database: string; files: string; manifest: string }[] = [
  {
    prefix: undefined,
    backupPrefix: `acme/${ID}/`,
    database: `acme/${ID}/database.tenc`,
    files: `acme/${ID}/files.tenc`,
    manifest: `acme/${ID}/manifest.json`,
  },
  {
    prefix: '/prod/eu/',
    backupPrefix: `prod/eu/acme/${ID}/`,
    database: `prod/eu/acme/${ID}/database.tenc`,
    files: `prod/eu/acme/${ID}/files.tenc`,
    manifest: `prod/eu/acme/${ID}/manifest.json`,
  },
];

for (const r of keyRows) {
  test(`keys of a backup with prefix ${JSON.stringify(r.prefix)}`, () => {
    assert.equal(backupPrefix(r.prefix, 'acme', ID), r.backupPrefix);
    assert.equal(partKey(r.prefix, 'acme', ID, 'database'), r.database);
    assert.equal(partKey(r.prefix, 'acme', ID, 'files'), r.files);
    assert.equal(manifestKey(r.prefix, 'acme', ID), r.manifest);
    // Every key of the backup parses back to it under the tenant's prefix.
    const tp = tenantPrefix(r.prefix, 'acme');
    assert.deepEqual(parseTenantKey(tp, r.database), { backupId: ID, name: 'database.tenc' });
    assert.deepEqual(parseTenantKey(tp, r.files), { backupId: ID, name: 'files.tenc' });
    assert.deepEqual(parseTenantKey(tp, r.manifest), { backupId: ID, name: 'manifest.json' });
  });
}

test('partKey and manifestKey refuse a bad tenant or backup id', () => {
  assert.throws(() => partKey(undefined, '../acme', ID, 'database'), /invalid tenant name/);
  assert.throws(() => manifestKey(undefined, 'acme', 'latest'), /invalid backup id/);
});

// --- parseTenantKey -------------------------------------------------------------------------

const parseRows: { name: string; prefix: string; key: string; want?: { backupId: string; name: string } }[] = [
  { name: 'a part', prefix: 'acme/', key: `acme/${ID}/database.tenc`, want: { backupId: ID, name: 'database.tenc' } },
  {
    name: 'a manifest under a bucket prefix',
    prefix: 'backups/acme/',
    key: `backups/acme/${ID}/manifest.json`,
    want: { backupId: ID, name: 'manifest.json' },
  },
  {
    name: 'an unknown file name is still the backup’s (the orphan sweep decides)',
    prefix: 'acme/',
    key: `acme/${ID}/leftover.tmp`,
    want: { backupId: ID, name: 'leftover.tmp' },
  },
  { name: 'a tenant whose name extends this one', prefix: 'acme/', key: `acme-2/${ID}/manifest.json` },
  { name: 'a tenant whose name extends this one, prefix given without its slash', prefix: 'acme', key: `acme-2/${ID}/manifest.json` },
  { name: 'another tenant', prefix: 'acme/', key: `globex/${ID}/manifest.json` },
  { name: 'the same tenant under another bucket prefix', prefix: 'backups/acme/', key: `other/acme/${ID}/manifest.json` },
  { name: 'the same tenant without the bucket prefix', prefix: 'backups/acme/', key: `acme/${ID}/manifest.json` },
  { name: 'a tenant nested under this one', prefix: 'acme/', key: `acme/acme/${ID}/manifest.json` },
  { name: 'an object directly under the tenant', prefix: 'acme/', key: 'acme/manifest.json' },
  { name: 'the tenant prefix itself', prefix: 'acme/', key: 'acme/' },
  { name: 'the backup folder itself', prefix: 'acme/', key: `acme/${ID}/` },
  { name: 'a nested path inside a backup', prefix: 'acme/', key: `acme/${ID}/sub/manifest.json` },
  { name: 'a folder that is not a backup id', prefix: 'acme/', key: 'acme/latest/manifest.json' },
  { name: 'a backup id with a short random part', prefix: 'acme/', key: 'acme/20261126T020000Z-a1b2/manifest.json' },
  { name: 'an upper-case backup id', prefix: 'acme/', key: 'acme/20261126T020000Z-A1B2C3/manifest.json' },
  { name: 'a double slash', prefix: 'acme/', key: `acme//${ID}/manifest.json` },
  { name: 'a key that climbs out', prefix: 'acme/', key: `acme/../globex/${ID}/manifest.json` },
];

for (const r of parseRows) {
  test(`parseTenantKey: ${r.name}`, () => {
    assert.deepEqual(parseTenantKey(r.prefix, r.key), r.want);
  });
}

// --- parseManifest --------------------------------------------------------------------------

function manifestOf(over: Record<string, unknown> = {}): Record<string, unknown> {
  const good: BackupManifest = {
    format: MANIFEST_FORMAT,
    tenant: 'acme',
    backupId: ID,
    region: 'eu-west-1',
    startedAt: '2026-11-26T02:00:00.120Z',
    completedAt: '2026-11-26T02:03:10.500Z',
    kmsKeyId: 'alias/tenantry-eu-west-1',
    database: { engine: 'postgres', serverVersion: '16.4' },
    tools: { pg_dump: '16.4' },
    parts: [
      {
        name: 'database',
        key: partKey('backups', 'acme', ID, 'database'),
        contentType: 'application/octet-stream',
        compression: 'none',
        plaintextBytes: 1000,
        ciphertextBytes: 1100,
        plaintextSha256: SHA_A,
        ciphertextSha256: SHA_B,
      },
      {
        name: 'files',
        key: partKey('backups', 'acme', ID, 'files'),
        contentType: 'application/x-tar',
        compression: 'gzip',
        plaintextBytes: 500,
        ciphertextBytes: 560,
        plaintextSha256: SHA_B,
        ciphertextSha256: SHA_A,
      },
    ],
    verification: { method: 'drill', verifiedAt: '2026-11-26T02:05:00Z', seconds: 12.5, bytesPerSecond: 120 },
  };
  return { ...good, ...over };
}

const parse = (m: unknown, expect = { tenant: 'acme', backupId: ID }) => parseManifest(JSON.stringify(m), expect);
const goodParts = () => manifestOf().parts as Record<string, unknown>[];
const withPart = (i: number, over: Record<string, unknown>) =>
  manifestOf({ parts: goodParts().map((p, j) => (j === i ? { ...p, ...over } : p)) });

test('parseManifest: a good manifest parses to itself', () => {
  const m = parse(manifestOf());
  assert.deepEqual(m, manifestOf());
  assert.equal(plaintextBytes(m), 1500);
  assert.equal(storedBytes(m), 1660);
});

test('parseManifest: an unverified backup (no verification) parses too', () => {
  const { verification: _v, ...rest } = manifestOf();
  assert.equal(parse(rest).verification, undefined);
});

test('parseManifest: a part key at the bucket root (no prefix) is inside the backup', () => {
  const m = manifestOf({ parts: goodParts().map((p) => ({ ...p, key: partKey(undefined, 'acme', ID, p.name as 'database' | 'files') })) });
  assert.doesNotThrow(() => parse(m));
});

const OTHER_ID = '20261125T020000Z-000000';
const manifestErrors: { name: string; text?: string; manifest?: unknown; expect?: { tenant: string; backupId: string }; error: RegExp }[] =
  [
    { name: 'not JSON', text: '{"format": ', error: new RegExp(`^manifest of backup ${ID} is not JSON: `) },
    { name: 'JSON null', manifest: null, error: /: document is not an object$/ },
    { name: 'a JSON string', manifest: 'manifest', error: /: document is not an object$/ },
    {
      name: 'an unknown format version',
      manifest: manifestOf({ format: 'tenantry.io/backup-manifest/v2' }),
      error: /: format is "tenantry\.io\/backup-manifest\/v2", this version reads tenantry\.io\/backup-manifest\/v1$/,
    },
    { name: 'no format', manifest: manifestOf({ format: undefined }), error: /: format is undefined, this version reads / },
    { name: "another tenant's manifest", manifest: manifestOf({ tenant: 'globex' }), error: /: tenant is "globex", expected acme$/ },
    {
      name: 'a tenant whose name extends this one',
      manifest: manifestOf({ tenant: 'acme-2' }),
      error: /: tenant is "acme-2", expected acme$/,
    },
    {
      name: "another backup's manifest",
      manifest: manifestOf({ backupId: OTHER_ID }),
      error: new RegExp(`: backupId is "${OTHER_ID}", expected ${ID}$`),
    },
    {
      name: 'a backup id that is not one (expected and found agree)',
      manifest: manifestOf({ backupId: 'latest' }),
      expect: { tenant: 'acme', backupId: 'latest' },
      error: /invalid backup id "latest"/,
    },
    { name: 'no region', manifest: manifestOf({ region: undefined }), error: /: region is missing$/ },
    { name: 'an empty startedAt', manifest: manifestOf({ startedAt: '' }), error: /: startedAt is missing$/ },
    { name: 'no completedAt', manifest: manifestOf({ completedAt: undefined }), error: /: completedAt is missing$/ },
    { name: 'a kmsKeyId that is not a string', manifest: manifestOf({ kmsKeyId: 42 }), error: /: kmsKeyId is missing$/ },
    { name: 'no database', manifest: manifestOf({ database: undefined }), error: /: database\.engine is missing$/ },
    { name: 'no database engine', manifest: manifestOf({ database: { serverVersion: '16.4' } }), error: /: database\.engine is missing$/ },
    { name: 'no parts', manifest: manifestOf({ parts: undefined }), error: /: parts is empty$/ },
    { name: 'empty parts', manifest: manifestOf({ parts: [] }), error: /: parts is empty$/ },
    { name: 'an unknown part', manifest: withPart(1, { name: 'logs' }), error: /: parts\[1\]\.name is "logs"$/ },
    { name: 'no plaintext hash', manifest: withPart(0, { plaintextSha256: undefined }), error: /: parts\[0\] has no SHA-256$/ },
    { name: 'no ciphertext hash', manifest: withPart(1, { ciphertextSha256: undefined }), error: /: parts\[1\] has no SHA-256$/ },
    { name: 'a short hash', manifest: withPart(0, { plaintextSha256: 'a'.repeat(63) }), error: /: parts\[0\] has no SHA-256$/ },
    { name: 'an upper-case hash', manifest: withPart(0, { ciphertextSha256: 'A'.repeat(64) }), error: /: parts\[0\] has no SHA-256$/ },
    { name: 'no plaintext size', manifest: withPart(0, { plaintextBytes: undefined }), error: /: parts\[0\] has no sizes$/ },
    { name: 'a fractional size', manifest: withPart(1, { ciphertextBytes: 1.5 }), error: /: parts\[1\] has no sizes$/ },
    { name: 'a size given as a string', manifest: withPart(1, { plaintextBytes: '500' }), error: /: parts\[1\] has no sizes$/ },
    { name: 'no part key', manifest: withPart(0, { key: undefined }), error: /: parts\[0\]\.key is not inside backup \S+ of tenant acme$/ },
    {
      name: "a part key in another backup's folder",
      manifest: withPart(0, { key: partKey('backups', 'acme', OTHER_ID, 'database') }),
      error: /: parts\[0\]\.key is not inside backup \S+ of tenant acme$/,
    },
    {
      name: "a part key naming the other part's object",
      manifest: withPart(1, { key: partKey('backups', 'acme', ID, 'database') }),
      error: /: parts\[1\]\.key is not inside backup \S+ of tenant acme$/,
    },
    {
      name: 'a part key whose folder only ends like the backup id',
      manifest: withPart(0, { key: `backups/acme/x${ID}/database.tenc` }),
      error: /: parts\[0\]\.key is not inside backup \S+ of tenant acme$/,
    },
    {
      name: "a part key under another tenant's folder",
      manifest: withPart(0, { key: `backups/globex/${ID}/database.tenc` }),
      error: /: parts\[0\]\.key is not inside backup \S+ of tenant acme$/,
    },
    {
      name: 'a part key without its suffix',
      manifest: withPart(0, { key: `backups/acme/${ID}/database` }),
      error: /: parts\[0\]\.key is not inside backup \S+ of tenant acme$/,
    },
  ];

for (const r of manifestErrors) {
  test(`parseManifest refuses ${r.name}`, () => {
    const expect = r.expect ?? { tenant: 'acme', backupId: ID };
    const text = r.text ?? JSON.stringify(r.manifest);
    assert.throws(
      () => parseManifest(text, expect),
      (e: unknown) => {
        assert.ok(e instanceof Error);
        assert.match(e.message, r.error);
        return true;
      },
    );
  });
}

test('every manifest error names the backup it was read for', () => {
  for (const r of manifestErrors.filter((x) => !x.expect)) {
    const text = r.text ?? JSON.stringify(r.manifest);
    assert.throws(() => parseManifest(text, { tenant: 'acme', backupId: ID }), new RegExp(`^Error: manifest of backup ${ID}[: ]`), r.name);
  }
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
