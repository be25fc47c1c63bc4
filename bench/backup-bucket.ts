// bench:backup's look at the bucket of the S3 server it started: what a tool really stored under a
// prefix, and removing a finished round's objects so that the server's volume does not grow round
// after round.
import { DeleteObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { adminS3 } from '../test/support/backup-env.js';

/** Objects and bytes under a prefix. */
export interface PrefixTotals {
  objects: number;
  bytes: number;
}

/** Lists every object under a prefix (all pages). */
async function listPrefix(s3: S3Client, bucket: string, prefix: string): Promise<{ key: string; size: number }[]> {
  const out: { key: string; size: number }[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    for (const o of page.Contents ?? []) if (o.Key) out.push({ key: o.Key, size: o.Size ?? 0 });
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return out;
}

/** Total size of the objects under a prefix of the bucket the services created: what a tool really stored. */
export async function storedBytes(bucket: string, prefix: string): Promise<number> {
  const s3 = adminS3();
  try {
    return (await listPrefix(s3, bucket, prefix)).reduce((n, o) => n + o.size, 0);
  } finally {
    s3.destroy();
  }
}

/**
 * Deletes every object under each prefix (a folder: non-empty, ending in "/", so a prefix can
 * never be the whole bucket or a sibling's name start) and says how much went.
 */
export async function deletePrefixes(bucket: string, prefixes: string[]): Promise<PrefixTotals> {
  for (const p of prefixes) if (!/^[^/].*\/$/.test(p)) throw new Error(`refusing to delete under "${p}": not a folder prefix`);
  const s3 = adminS3();
  const totals = { objects: 0, bytes: 0 };
  try {
    for (const prefix of prefixes) {
      for (const o of await listPrefix(s3, bucket, prefix)) {
        // The listing was asked for this prefix; checked again, as a key outside it must never go.
        if (!o.key.startsWith(prefix)) throw new Error(`the listing of "${prefix}" returned "${o.key}"`);
        await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: o.key }));
        totals.objects++;
        totals.bytes += o.size;
      }
    }
    return totals;
  } finally {
    s3.destroy();
  }
}
