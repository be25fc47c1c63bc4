// BackupPolicies' S3 credentials, read from the operator's own namespace only. Whoever may write a
// BackupPolicy must not be able to make the operator read a Secret anywhere else (kube-system, say)
// and copy it into a tenant namespace: a reference into another namespace is refused without a read.
import type { CredentialsRef } from './backup-observer.js';

/** How long a policy's credentials are reused before the Secret is read again. */
export const CREDENTIALS_TTL_MS = 5 * 60 * 1000;
/** The keys a credentials Secret must hold. */
const REQUIRED_KEYS = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'];

/** Reads a Secret's decoded data by namespace and name. */
export type SecretReader = (namespace: string, name: string) => Promise<Record<string, string>>;

/** Reads and briefly caches the credentials Secrets BackupPolicies name, in one namespace. */
export class PolicyCredentials {
  private readonly cache = new Map<string, { at: number; data: Promise<Record<string, string>> }>();

  constructor(
    /** The operator's own namespace: the only one read from. */
    readonly namespace: string,
    private readonly readSecret: SecretReader,
    private readonly now: () => number = Date.now,
  ) {}

  /** Returns the Secret's data; rejects a reference into another namespace, and a Secret without both AWS keys. */
  read(ref: CredentialsRef): Promise<Record<string, string>> {
    // Policies stored before the CRD forbade the field may still name a namespace: only ours passes.
    if (ref.namespace !== undefined && ref.namespace !== this.namespace) {
      return Promise.reject(
        new Error(
          `credentialsSecretRef names namespace ${ref.namespace}, but credentials Secrets are read only from the operator's namespace ${this.namespace}: ` +
            `create Secret ${ref.name} there and remove the namespace field`,
        ),
      );
    }
    const key = `${this.namespace}/${ref.name}`;
    const hit = this.cache.get(key);
    if (hit && this.now() - hit.at < CREDENTIALS_TTL_MS) return hit.data;
    const data = this.readSecret(this.namespace, ref.name).then((d) => {
      const missing = REQUIRED_KEYS.filter((k) => !d[k]);
      if (missing.length) throw new Error(`Secret ${key} lacks ${missing.join(' and ')}`);
      return d;
    });
    // A failed read is not kept: the next pass tries again.
    data.catch(() => this.cache.delete(key));
    this.cache.set(key, { at: this.now(), data });
    return data;
  }
}
