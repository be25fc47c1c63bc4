// The listings `tenantry sweep` reads: the tenant prefixes of a backup destination, whether the
// archive holds a receipt of a tenant name, and the tenant key aliases of a KMS region. Reads only.
import { ListAliasesCommand, type KMSClient } from '@aws-sdk/client-kms';
import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { tenantKeyAlias } from '../cloud/tenant-key.js';
import { prefixName, receiptFolder } from './sweep.js';

/** The prefix every tenant key alias starts with (`alias/tenantry/<tenant>`). */
export const TENANT_ALIAS_PREFIX = tenantKeyAlias('x').slice(0, -1);

/** One folder under a destination's prefix. */
export interface ListedPrefix {
  /** The segment under the destination prefix (a tenant name, if it is one). */
  name: string;
  /** The full common prefix, e.g. `tenantry/prod/acme/`. */
  prefix: string;
}

/** Lists the folders directly under `base` (ListObjectsV2 with Delimiter '/', every page). */
export async function listTenantPrefixes(s3: S3Client, bucket: string, base: string): Promise<ListedPrefix[]> {
  const out: ListedPrefix[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: base, Delimiter: '/', ...(token ? { ContinuationToken: token } : {}) }),
    );
    for (const p of page.CommonPrefixes ?? []) {
      const name = p.Prefix === undefined ? undefined : prefixName(base, p.Prefix);
      if (name !== undefined) out.push({ name, prefix: p.Prefix! });
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return out;
}

/** Whether the archive bucket holds any erasure receipt of a tenant name (of any uid). */
export async function hasAnyReceipt(s3: S3Client, archiveBucket: string, tenant: string): Promise<boolean> {
  const page = await s3.send(new ListObjectsV2Command({ Bucket: archiveBucket, Prefix: receiptFolder(tenant), MaxKeys: 1 }));
  return (page.KeyCount ?? page.Contents?.length ?? 0) > 0;
}

/** One tenant key alias of a region. */
export interface ListedAlias {
  /** The tenant name the alias is for. */
  name: string;
  alias: string;
  targetKeyId?: string;
}

/** Lists the aliases `alias/tenantry/<tenant>` of the KMS region (every page). */
export async function listTenantAliases(kms: KMSClient): Promise<ListedAlias[]> {
  const out: ListedAlias[] = [];
  let marker: string | undefined;
  do {
    const page = await kms.send(new ListAliasesCommand({ ...(marker ? { Marker: marker } : {}) }));
    for (const a of page.Aliases ?? []) {
      if (!a.AliasName?.startsWith(TENANT_ALIAS_PREFIX)) continue;
      const name = a.AliasName.slice(TENANT_ALIAS_PREFIX.length);
      if (name === '' || name.includes('/')) continue;
      out.push({ name, alias: a.AliasName, ...(a.TargetKeyId ? { targetKeyId: a.TargetKeyId } : {}) });
    }
    marker = page.Truncated ? page.NextMarker : undefined;
  } while (marker);
  return out;
}
