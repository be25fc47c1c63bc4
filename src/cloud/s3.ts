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
  /**
   * Sign request bodies as `UNSIGNED-PAYLOAD` instead of hashing each one with SHA-256 for the
   * signature. Only for clients whose bodies carry their own end-to-end integrity (the backup
   * agent's: SHA-256 and GCM tags checked on every read) — transit is still covered by the CRC32
   * checksum S3 verifies on each part, and by TLS on AWS.
   */
  unsignedPayload?: boolean;
}

/** The header SigV4 reads the payload hash from; when it is set, the signer does not hash the body. */
const CONTENT_SHA256 = 'x-amz-content-sha256';

/** Creates an S3 client for the settings, with path-style addressing whenever an endpoint is set. */
export function createS3Client(s: S3Settings): S3Client {
  const client = new S3Client({
    region: s.region,
    ...(s.endpoint ? { endpoint: s.endpoint, forcePathStyle: true } : {}),
    ...(s.credentials ? { credentials: s.credentials } : {}),
    // Retries of whole requests are the SDK's; a dropped multipart upload is aborted by the caller.
    maxAttempts: 3,
  });
  if (s.unsignedPayload) {
    // In the build step, so before signing (finalizeRequest) whatever the order within the step: the
    // flexible-checksum middleware only adds its CRC32, or replaces the header for streamed bodies.
    client.middlewareStack.add(
      (next) => async (args) => {
        const request = args.request as { headers?: Record<string, string> };
        if (request.headers && !request.headers[CONTENT_SHA256]) request.headers[CONTENT_SHA256] = 'UNSIGNED-PAYLOAD';
        return next(args);
      },
      { step: 'build', name: 'tenantryUnsignedPayload' },
    );
  }
  return client;
}
