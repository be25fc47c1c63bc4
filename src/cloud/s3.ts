// Builds the S3 client the agent and the operator use. The same code path serves AWS and an
// S3-compatible store: only the endpoint (and path-style addressing, which such stores need) differ.
import { S3Client } from '@aws-sdk/client-s3';

/** Where and as whom to reach S3. */
export interface S3Settings {
  region: string;
  /** Endpoint URL of an S3-compatible store; AWS S3 of the region when omitted. */
  endpoint?: string;
  /** Static credentials; the SDK's default chain (env, IRSA web identity, instance role) when omitted. */
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

/** Creates an S3 client for the settings, with path-style addressing whenever an endpoint is set. */
export function createS3Client(s: S3Settings): S3Client {
  return new S3Client({
    region: s.region,
    ...(s.endpoint ? { endpoint: s.endpoint, forcePathStyle: true } : {}),
    ...(s.credentials ? { credentials: s.credentials } : {}),
    // Retries of whole requests are the SDK's; a dropped multipart upload is aborted by the caller.
    maxAttempts: 3,
  });
}
