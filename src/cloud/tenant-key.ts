// Each tenant's own KMS key (P1), the key its backups' data keys come from, and the key whose
// deletion makes every copy of those backups unreadable (crypto-shredding at erasure).
//
// Ownership is proven by tags, never by name: the alias alias/tenantry/<tenant> only finds the key,
// and the key is ours only when it carries the tenant's name AND its uid. A key behind that alias
// without those tags (made by someone else, or for an earlier tenant of the same name) is reported
// as a TenantKeyConflict and never used, tagged, repointed or scheduled for deletion.
//
// Scheduling deletion keeps the alias: it then names a key in PendingDeletion, which is what the
// sweep and a support engineer should see for an erased tenant (and CancelKeyDeletion within the
// window restores everything). KMS removes the alias itself when the key is deleted.
import {
  AlreadyExistsException,
  CreateAliasCommand,
  CreateKeyCommand,
  DescribeKeyCommand,
  ListResourceTagsCommand,
  NotFoundException,
  ScheduleKeyDeletionCommand,
  type KMSClient,
  type KeyMetadata,
  type Tag,
} from '@aws-sdk/client-kms';

/** Tag keys on a tenant key. */
export const TENANT_KEY_TAGS = {
  tenant: 'tenantry.io/tenant',
  uid: 'tenantry.io/tenant-uid',
  region: 'tenantry.io/region',
  managedBy: 'app.kubernetes.io/managed-by',
} as const;
/** Value of the managed-by tag. */
export const MANAGED_BY = 'tenantry';
/** Days between ScheduleKeyDeletion and the key's deletion: the AWS minimum. */
export const KEY_DELETION_WINDOW_DAYS = 7;

const TENANT_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Which tenant a key belongs to. */
export interface TenantKeyOwner {
  /** Tenant name (a DNS label). */
  tenant: string;
  /** The Tenant object's metadata.uid: a later tenant of the same name does not own this one's key. */
  uid: string;
}

/** The alias of a tenant's key: `alias/tenantry/<tenant>` (AWS allows `/` in alias names; `alias/aws/` is reserved). */
export function tenantKeyAlias(tenant: string): string {
  if (!TENANT_RE.test(tenant) || tenant.length > 63) throw new Error(`invalid tenant name ${JSON.stringify(tenant)}: must be a DNS label`);
  return `alias/tenantry/${tenant}`;
}

/** The alias names a key that is not this tenant's: it is reported and left alone. */
export class TenantKeyConflict extends Error {
  constructor(
    readonly tenant: string,
    readonly alias: string,
    readonly keyArn: string,
    readonly tags: Readonly<Record<string, string>>,
  ) {
    super(
      `KMS alias ${alias} points to key ${keyArn}, which is not tenant ${tenant}'s ` +
        `(tags ${TENANT_KEY_TAGS.tenant}=${tags[TENANT_KEY_TAGS.tenant] ?? '(none)'}, ${TENANT_KEY_TAGS.uid}=${tags[TENANT_KEY_TAGS.uid] ?? '(none)'}): ` +
        'left untouched; remove or rename the alias, or check which tenant it belongs to',
    );
    this.name = 'TenantKeyConflict';
  }
}

/** The tenant's key is pending deletion (the tenant was erased): it is never used for new data. */
export class TenantKeyPendingDeletion extends Error {
  constructor(
    readonly tenant: string,
    readonly keyArn: string,
    readonly deletionDate: Date | undefined,
  ) {
    super(
      `the KMS key ${keyArn} of tenant ${tenant} is pending deletion${deletionDate ? ` (deleted at ${deletionDate.toISOString()})` : ''}: ` +
        'no new data is encrypted under it; CancelKeyDeletion restores it within the window',
    );
    this.name = 'TenantKeyPendingDeletion';
  }
}

/** A tenant's key as KMS describes it. */
export interface TenantKeyState {
  keyArn: string;
  keyId: string;
  /** KMS key state: Enabled, Disabled, PendingDeletion, … */
  state: string;
  deletionDate?: Date;
  tags: Record<string, string>;
  /** The key carries this tenant's name and uid. */
  ours: boolean;
}

/** Turns a tag list into a map. */
function tagMap(tags: readonly Tag[] | undefined): Record<string, string> {
  return Object.fromEntries((tags ?? []).filter((t) => t.TagKey !== undefined).map((t) => [t.TagKey!, t.TagValue ?? '']));
}

/** Reads every tag of a key (ListResourceTags pages at 50). */
async function readTags(kms: KMSClient, keyId: string): Promise<Record<string, string>> {
  const all: Tag[] = [];
  let marker: string | undefined;
  do {
    const page = await kms.send(new ListResourceTagsCommand({ KeyId: keyId, ...(marker ? { Marker: marker } : {}) }));
    all.push(...(page.Tags ?? []));
    marker = page.Truncated ? page.NextMarker : undefined;
  } while (marker);
  return tagMap(all);
}

/** Whether tags name this tenant and uid. */
function owns(tags: Readonly<Record<string, string>>, o: TenantKeyOwner): boolean {
  return tags[TENANT_KEY_TAGS.tenant] === o.tenant && tags[TENANT_KEY_TAGS.uid] === o.uid;
}

/** Describes a key with its tags; undefined when KMS does not know it. */
async function describe(kms: KMSClient, keyId: string, o: TenantKeyOwner): Promise<TenantKeyState | undefined> {
  let meta: KeyMetadata | undefined;
  try {
    meta = (await kms.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata;
  } catch (e) {
    if (e instanceof NotFoundException) return undefined;
    throw e;
  }
  if (!meta?.Arn || !meta.KeyId) throw new Error(`KMS described ${keyId} without its ARN`);
  const tags = await readTags(kms, meta.KeyId);
  return {
    keyArn: meta.Arn,
    keyId: meta.KeyId,
    state: meta.KeyState ?? 'Unknown',
    ...(meta.DeletionDate ? { deletionDate: meta.DeletionDate } : {}),
    tags,
    ours: owns(tags, o),
  };
}

/**
 * Returns the tenant's key (by default through its alias `alias/tenantry/<tenant>`; `keyId` to
 * describe a recorded key instead), with its state and tags; undefined when there is none.
 */
export async function describeTenantKey(kms: KMSClient, o: TenantKeyOwner & { keyId?: string }): Promise<TenantKeyState | undefined> {
  return describe(kms, o.keyId ?? tenantKeyAlias(o.tenant), o);
}

/** Returns the key behind the alias when it is ours and usable; throws when it is foreign or doomed; undefined when there is no alias. */
async function existing(kms: KMSClient, o: TenantKeyOwner, alias: string): Promise<TenantKeyState | undefined> {
  const key = await describe(kms, alias, o);
  if (!key) return undefined;
  if (!key.ours) throw new TenantKeyConflict(o.tenant, alias, key.keyArn, key.tags);
  if (key.state === 'PendingDeletion') throw new TenantKeyPendingDeletion(o.tenant, key.keyArn, key.deletionDate);
  return key;
}

/**
 * Makes sure the tenant has its own key in `region` (the KMS client's region) and returns its ARN:
 * a symmetric ENCRYPT_DECRYPT key, created with its tags in the same call (a key without them
 * would not count as ours), then the alias. Idempotent: an alias naming our key is reused. When
 * two callers race, the alias decides: the loser schedules deletion of the key it just made (never
 * used, tagged as ours) and returns the winner's.
 */
export async function ensureTenantKey(
  kms: KMSClient,
  o: TenantKeyOwner & { region: string },
): Promise<{ keyArn: string; alias: string; created: boolean }> {
  const alias = tenantKeyAlias(o.tenant);
  const found = await existing(kms, o, alias);
  if (found) return { keyArn: found.keyArn, alias, created: false };
  const made = await kms.send(
    new CreateKeyCommand({
      KeySpec: 'SYMMETRIC_DEFAULT',
      KeyUsage: 'ENCRYPT_DECRYPT',
      Description: `Tenantry: backups and data of tenant ${o.tenant} (uid ${o.uid}) in ${o.region}`,
      Tags: [
        { TagKey: TENANT_KEY_TAGS.tenant, TagValue: o.tenant },
        { TagKey: TENANT_KEY_TAGS.uid, TagValue: o.uid },
        { TagKey: TENANT_KEY_TAGS.region, TagValue: o.region },
        { TagKey: TENANT_KEY_TAGS.managedBy, TagValue: MANAGED_BY },
      ],
    }),
  );
  const keyArn = made.KeyMetadata?.Arn;
  const keyId = made.KeyMetadata?.KeyId;
  if (!keyArn || !keyId) throw new Error('KMS answered CreateKey without the key ARN');
  try {
    await kms.send(new CreateAliasCommand({ AliasName: alias, TargetKeyId: keyId }));
    return { keyArn, alias, created: true };
  } catch (e) {
    if (!(e instanceof AlreadyExistsException)) throw e;
  }
  // Another caller made the alias first. Our new key was never used: retire it, then take theirs
  // (or report theirs as foreign, which the retirement does not depend on).
  await kms.send(new ScheduleKeyDeletionCommand({ KeyId: keyId, PendingWindowInDays: KEY_DELETION_WINDOW_DAYS }));
  const winner = await existing(kms, o, alias);
  if (!winner) throw new Error(`KMS alias ${alias} existed a moment ago and is gone now: try again`);
  return { keyArn: winner.keyArn, alias, created: false };
}

/** What {@link scheduleTenantKeyDeletion} did (or, dry, would do). */
export interface TenantKeyDeletion {
  keyArn: string;
  /** `scheduled` now, `already` pending deletion, `gone` (KMS no longer knows it: deleted after the window), `dry-run`. */
  outcome: 'scheduled' | 'already' | 'gone' | 'dry-run';
  deletionDate?: Date;
}

/**
 * Schedules deletion of the tenant's key (7-day window) after checking that its tags name this
 * tenant and uid: a foreign key throws {@link TenantKeyConflict} and nothing is done. Idempotent:
 * a key already pending deletion returns its DeletionDate. The alias is kept (see the file comment).
 */
export async function scheduleTenantKeyDeletion(
  kms: KMSClient,
  o: TenantKeyOwner & { keyId: string; dryRun?: boolean },
): Promise<TenantKeyDeletion> {
  const key = await describe(kms, o.keyId, o);
  if (!key) return { keyArn: o.keyId, outcome: 'gone' };
  if (!key.ours) throw new TenantKeyConflict(o.tenant, o.keyId, key.keyArn, key.tags);
  if (key.state === 'PendingDeletion') {
    return { keyArn: key.keyArn, outcome: 'already', ...(key.deletionDate ? { deletionDate: key.deletionDate } : {}) };
  }
  if (o.dryRun) return { keyArn: key.keyArn, outcome: 'dry-run' };
  const out = await kms.send(new ScheduleKeyDeletionCommand({ KeyId: key.keyId, PendingWindowInDays: KEY_DELETION_WINDOW_DAYS }));
  return { keyArn: key.keyArn, outcome: 'scheduled', ...(out.DeletionDate ? { deletionDate: out.DeletionDate } : {}) };
}
