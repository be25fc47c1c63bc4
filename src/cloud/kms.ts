// Data keys for backup encryption from AWS KMS (or a KMS-compatible endpoint). Each backup part
// gets its own AES-256 data key from GenerateDataKey; only its KMS-encrypted form is stored, in
// the stream header. The encryption context (tenant, backup, region, part) is bound to that
// ciphertext by KMS: Decrypt with any other context fails, so a header moved to another tenant
// or edited cannot be decrypted. Errors are rewritten into what an operator has to do about them.
import { DecryptCommand, DescribeKeyCommand, GenerateDataKeyCommand, KMSClient, type KMSClientConfig } from '@aws-sdk/client-kms';

/** Length of an AES-256 data key. */
const DATA_KEY_BYTES = 32;

/** How to reach KMS. */
export interface KmsOptions {
  /** AWS region of the key, e.g. `eu-west-1`. */
  region: string;
  /** Endpoint override (a VPC endpoint, or a local KMS in tests). */
  endpoint?: string;
  /** Credentials; default the SDK's provider chain (IRSA / pod identity in a cluster). */
  credentials?: KMSClientConfig['credentials'];
  /** Attempts per call including the first; default the SDK's (3). */
  maxAttempts?: number;
}

/** The encryption context of one backup part; KMS requires the same one to decrypt. */
export interface BackupKeyContext {
  tenant: string;
  backupId: string;
  region: string;
  /** Which stream of the backup, e.g. `database` or `files`. */
  part: string;
  [key: string]: string;
}

/** A fresh data key: use `plaintext` to encrypt, then zero it; store `ciphertext` and `keyArn`. */
export interface GeneratedDataKey {
  /** The AES-256 key (32 bytes). The caller owns it and must `fill(0)` it after use. */
  plaintext: Buffer;
  /** The key encrypted under the KMS key (KMS CiphertextBlob). */
  ciphertext: Buffer;
  /** ARN of the KMS key that encrypted it, even when an alias was asked for. */
  keyArn: string;
}

/** What went wrong with a KMS call, as far as the operator's next step is concerned. */
export type KmsFailure =
  | 'unreachable'
  | 'credentials'
  | 'denied'
  | 'key-not-found'
  | 'key-unusable'
  | 'context-mismatch'
  | 'wrong-key'
  | 'untrusted-key'
  | 'other';

/** A failed KMS call, with the operation, the key, and the failure kind. */
export class KmsError extends Error {
  constructor(
    readonly operation: 'GenerateDataKey' | 'Decrypt' | 'DescribeKey',
    readonly failure: KmsFailure,
    readonly keyId: string | undefined,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'KmsError';
  }
}

/** The parts of a stream header the resolver reads (structurally a backup/format BackupHeader). */
export interface KeyedHeader {
  keyId: string;
  encryptedDataKey: Buffer;
  context: Readonly<Record<string, string>>;
}

/** Builds the encryption context of one backup part. */
export function contextFor(tenant: string, backupId: string, region: string, part: string): BackupKeyContext {
  return { tenant, backupId, region, part };
}

/** The parts of a KMS key ARN (`arn:<partition>:kms:<region>:<account>:key/<id>`). */
export interface KeyArn {
  partition: string;
  region: string;
  account: string;
  keyId: string;
}

const KEY_ARN = /^arn:(aws[a-z-]*):kms:([a-z0-9-]+):([0-9]{12}):key\/([A-Za-z0-9-]{1,128})$/;

/** Parses a KMS key ARN; returns undefined for anything else (an alias, an alias ARN, a bare key id). */
export function parseKeyArn(text: string): KeyArn | undefined {
  const m = KEY_ARN.exec(text);
  if (!m) return undefined;
  const [, partition, region, account, keyId] = m as unknown as [string, string, string, string, string];
  return { partition, region, account, keyId };
}

/** Socket and DNS error codes: KMS was never reached, or the connection broke. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
]);

/** Reads the fields the SDK and Node put on errors without trusting their presence. */
function errorFacts(err: unknown): { name: string; code: string | undefined; status: number | undefined; message: string } {
  const e = (typeof err === 'object' && err !== null ? err : {}) as {
    name?: unknown;
    code?: unknown;
    message?: unknown;
    $metadata?: { httpStatusCode?: unknown };
  };
  return {
    name: typeof e.name === 'string' ? e.name : 'Error',
    code: typeof e.code === 'string' ? e.code : undefined,
    status: typeof e.$metadata?.httpStatusCode === 'number' ? e.$metadata.httpStatusCode : undefined,
    message: typeof e.message === 'string' && e.message ? e.message : String(err),
  };
}

/** Maps an SDK or network error to a failure kind. */
function classify(err: unknown): KmsFailure {
  const { name, code, status } = errorFacts(err);
  if (name === 'CredentialsProviderError') return 'credentials';
  if (status === undefined && (name === 'TimeoutError' || name === 'RequestTimeout' || (code !== undefined && NETWORK_CODES.has(code))))
    return 'unreachable';
  switch (name) {
    case 'AccessDeniedException':
    case 'UnrecognizedClientException':
    case 'InvalidSignatureException':
    case 'ExpiredTokenException':
      return 'denied';
    case 'NotFoundException':
    case 'InvalidArnException':
      return 'key-not-found';
    case 'DisabledException':
    case 'KMSInvalidStateException':
    case 'KeyUnavailableException':
    case 'InvalidKeyUsageException':
      return 'key-unusable';
    case 'InvalidCiphertextException':
      return 'context-mismatch';
    case 'IncorrectKeyException':
      return 'wrong-key';
    default:
      return 'other';
  }
}

/** Renders an encryption context for a message: the values are identifiers, not secrets. */
function describeContext(context: Readonly<Record<string, string>>): string {
  return Object.keys(context)
    .sort()
    .map((k) => `${k}=${context[k] ?? ''}`)
    .join(', ');
}

/** Encodes a context with sorted keys, so two contexts compare equal exactly when they mean the same. */
function canonical(context: Readonly<Record<string, string>>): string {
  return JSON.stringify(
    Object.fromEntries(
      Object.keys(context)
        .sort()
        .map((k) => [k, context[k]]),
    ),
  );
}

/** Copies a KMS response field into a Buffer we own and zeroes the SDK's copy. */
function takeBytes(bytes: Uint8Array | undefined, what: string): Buffer {
  if (!bytes || bytes.length === 0) throw new Error(`KMS answered without ${what}`);
  const out = Buffer.from(bytes);
  bytes.fill(0);
  return out;
}

/** Generates and decrypts backup data keys with one KMS client. */
export class KmsDataKeys {
  private readonly client: KMSClient;
  private readonly where: string;

  constructor(
    private readonly options: KmsOptions,
    client?: KMSClient,
  ) {
    this.client =
      client ??
      new KMSClient({
        region: options.region,
        ...(options.endpoint ? { endpoint: options.endpoint } : {}),
        ...(options.credentials ? { credentials: options.credentials } : {}),
        ...(options.maxAttempts ? { maxAttempts: options.maxAttempts } : {}),
      });
    this.where = options.endpoint ?? `https://kms.${options.region}.amazonaws.com`;
  }

  /** Asks KMS for a fresh AES-256 data key bound to `context`, encrypted under `keyId`. */
  async generate(keyId: string, context: Readonly<Record<string, string>>): Promise<GeneratedDataKey> {
    let out;
    try {
      out = await this.client.send(new GenerateDataKeyCommand({ KeyId: keyId, KeySpec: 'AES_256', EncryptionContext: { ...context } }));
    } catch (err) {
      throw this.wrap('GenerateDataKey', keyId, context, err);
    }
    const plaintext = takeBytes(out.Plaintext, 'a plaintext data key');
    if (plaintext.length !== DATA_KEY_BYTES) {
      plaintext.fill(0);
      throw new KmsError(
        'GenerateDataKey',
        'other',
        keyId,
        `KMS returned a ${plaintext.length}-byte data key for AES_256; expected ${DATA_KEY_BYTES}`,
      );
    }
    if (!out.KeyId) {
      plaintext.fill(0);
      throw new KmsError('GenerateDataKey', 'other', keyId, 'KMS answered GenerateDataKey without the key ARN');
    }
    return { plaintext, ciphertext: Buffer.from(out.CiphertextBlob ?? new Uint8Array()), keyArn: out.KeyId };
  }

  /**
   * Decrypts a data key with the encryption context it was generated with. `keyId` makes KMS
   * refuse a ciphertext that was encrypted under any other key.
   */
  async decrypt(ciphertext: Buffer, context: Readonly<Record<string, string>>, keyId?: string): Promise<Buffer> {
    let out;
    try {
      out = await this.client.send(
        new DecryptCommand({ CiphertextBlob: ciphertext, EncryptionContext: { ...context }, ...(keyId ? { KeyId: keyId } : {}) }),
      );
    } catch (err) {
      throw this.wrap('Decrypt', keyId, context, err);
    }
    const plaintext = takeBytes(out.Plaintext, 'a plaintext data key');
    if (plaintext.length !== DATA_KEY_BYTES) {
      plaintext.fill(0);
      throw new KmsError(
        'Decrypt',
        'other',
        keyId,
        `KMS decrypted a ${plaintext.length}-byte data key; a backup data key is ${DATA_KEY_BYTES} bytes`,
      );
    }
    return plaintext;
  }

  /** Returns the ARN of a key named by id, ARN, alias or alias ARN (what the alias points to now). */
  async describe(keyId: string): Promise<string> {
    let out;
    try {
      out = await this.client.send(new DescribeKeyCommand({ KeyId: keyId }));
    } catch (err) {
      throw this.wrap('DescribeKey', keyId, {}, err);
    }
    const arn = out.KeyMetadata?.Arn;
    if (!arn) throw new KmsError('DescribeKey', 'other', keyId, `KMS answered DescribeKey of ${keyId} without the key ARN`);
    return arn;
  }

  /**
   * Returns a `resolveDataKey` for a decrypt stream that restores the backup part `expected`
   * names. It decrypts with the expected context — not the one in the (untrusted) header — so a
   * whole, valid backup of another tenant put in this one's place is refused by KMS. The key is
   * the header's key ARN, the one KMS named when it generated the data key: an alias would
   * resolve to whatever key it points to today, so every backup made before the alias was
   * repointed would fail to decrypt. `trust` must refuse a key that is not the tenant's before
   * KMS is asked: the header is not authenticated until its data key decrypted it.
   */
  resolverFor(
    expected: Readonly<Record<string, string>>,
    trust: (keyArn: string) => Promise<void>,
  ): (header: KeyedHeader) => Promise<Buffer> {
    return async (header) => {
      if (canonical(header.context) !== canonical(expected)) {
        throw new KmsError(
          'Decrypt',
          'context-mismatch',
          header.keyId,
          `the stream header's encryption context {${describeContext(header.context)}} is not {${describeContext(expected)}} of the backup being read — ` +
            'a part of another tenant or backup, or a tampered header; refused before KMS was asked, nothing was restored',
        );
      }
      await trust(header.keyId);
      return this.decrypt(header.encryptedDataKey, expected, header.keyId);
    };
  }

  /** Releases the client's connections. */
  close(): void {
    this.client.destroy();
  }

  /** Rewrites an SDK error into a KmsError that says what failed and what it means for the backup. */
  private wrap(
    operation: KmsError['operation'],
    keyId: string | undefined,
    context: Readonly<Record<string, string>>,
    err: unknown,
  ): KmsError {
    const failure = classify(err);
    const { name, message } = errorFacts(err);
    const cause = `${name}: ${message}`;
    const outcome =
      operation === 'GenerateDataKey'
        ? 'backup aborted, nothing uploaded'
        : operation === 'Decrypt'
          ? 'the backup cannot be decrypted, nothing was restored'
          : 'the backup key cannot be checked, nothing was read or written';
    const key = keyId ?? '(the key named in the ciphertext)';
    let text: string;
    switch (failure) {
      case 'unreachable':
        text = `KMS unreachable at ${this.where}: ${cause} — ${outcome}`;
        break;
      case 'credentials':
        text = `no AWS credentials for KMS in ${this.options.region}: ${message} — ${outcome}`;
        break;
      case 'denied':
        text = `KMS denied ${operation} on ${key}: ${cause} — check the operator's IAM role and the key policy; ${outcome}`;
        break;
      case 'key-not-found':
        text = `KMS key ${key} not found in ${this.options.region}: ${cause} — ${outcome}`;
        break;
      case 'key-unusable':
        text = `KMS key ${key} cannot be used (disabled, pending deletion or unavailable): ${cause} — ${outcome}`;
        break;
      case 'context-mismatch':
        text =
          `KMS refused to decrypt the data key: the encryption context (tenant/backup/region) {${describeContext(context)}} does not match ` +
          `the one it was generated with — wrong tenant or tampered header, or the stored data key is damaged (${cause}); ${outcome}`;
        break;
      case 'wrong-key':
        text = `KMS refused to decrypt the data key: it was not encrypted under ${key} — the header names another key (swapped or tampered) (${cause}); ${outcome}`;
        break;
      default:
        text = `KMS ${operation} failed at ${this.where}: ${cause} — ${outcome}`;
    }
    return new KmsError(operation, failure, keyId, text, { cause: err });
  }
}
