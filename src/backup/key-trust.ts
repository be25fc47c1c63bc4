// Which KMS keys may decrypt a tenant's backups. The key named in a stream header or a manifest
// comes from the bucket, which is not authenticated until the data key has decrypted it: a
// bucket writer could name a key of their own, in another account, and make a restore load data
// they encrypted. So before KMS is asked to decrypt anything, the named key must be a key ARN of
// the tenant's region in the account of the tenant's configured key.
//
// The check is by account and region, not by the exact key the configured alias points to today:
// rotating by repointing the alias leaves every older backup under the previous key, which must
// keep restoring (the 8-hour promise holds exactly when people rotate keys). Within the account,
// the key policies decide who may use a key, and the encryption context binds tenant and backup.
import { KmsError, parseKeyArn, type KeyArn, type KmsDataKeys } from '../cloud/kms.js';

/** The tenant's configured key and region. */
export interface KeyTrustOptions {
  /** The configured key (TENANTRY_KMS_KEY_ID): an alias, alias ARN, key id or key ARN. */
  keyId: string;
  /** The tenant's region: a backup key of any other region is refused (P8). */
  region: string;
}

/** An ARN of a KMS key or alias: `arn:<partition>:kms:<region>:<account>:(key|alias)/<name>`. */
const KMS_ARN = /^arn:(aws[a-z-]*):kms:([a-z0-9-]*):([0-9]*):(key|alias)\/(.+)$/;

/** Decides whether a KMS key named by a backup may be used to decrypt it. */
export class BackupKeyTrust {
  private home: Promise<KeyArn> | undefined;

  constructor(
    private readonly kms: Pick<KmsDataKeys, 'describe'>,
    private readonly o: KeyTrustOptions,
  ) {}

  /** Returns the configured key's ARN parts, asking KMS (DescribeKey) once unless it is a key ARN already. */
  private homeKey(): Promise<KeyArn> {
    this.home ??= (async () => {
      const direct = parseKeyArn(this.o.keyId);
      const arn = direct ? this.o.keyId : await this.kms.describe(this.o.keyId);
      const parsed = parseKeyArn(arn);
      if (!parsed)
        throw new KmsError('DescribeKey', 'other', this.o.keyId, `KMS described ${this.o.keyId} as ${arn}, which is not a key ARN`);
      return parsed;
    })();
    // A failed lookup (KMS down) is asked again next time rather than remembered.
    this.home.catch(() => (this.home = undefined));
    return this.home;
  }

  /** Throws unless `keyArn` is a key of the tenant's region in the account of its configured key; `where` names the object. */
  async check(keyArn: string, where: string): Promise<void> {
    const home = await this.homeKey();
    const refuse = (why: string) =>
      new KmsError(
        'Decrypt',
        'untrusted-key',
        keyArn,
        `${where} names KMS key ${JSON.stringify(keyArn)}, ${why}: it is not this tenant's backup key (account ${home.account}, region ${this.o.region}) — ` +
          'a backup written elsewhere or tampered with; refused before KMS was asked, nothing was restored',
      );
    const key = parseKeyArn(keyArn);
    if (!key) throw refuse('which is not a key ARN');
    if (key.partition !== home.partition || key.account !== home.account) throw refuse(`which belongs to account ${key.account}`);
    if (key.region !== this.o.region) throw refuse(`which is in region ${key.region}`);
  }

  /**
   * Checks the key a manifest records. Decryption always uses the key ARN of each part's header
   * (checked by {@link check}); an alias or bare key id in a manifest is only a record of the
   * configuration that made it, but an ARN must still name a key or alias of this tenant's
   * account and region.
   */
  async checkManifestKey(keyId: string, where: string): Promise<void> {
    const m = KMS_ARN.exec(keyId);
    if (!m) {
      if (keyId.startsWith('arn:'))
        throw new KmsError(
          'Decrypt',
          'untrusted-key',
          keyId,
          `${where} names KMS key ${JSON.stringify(keyId)}, which is not a KMS key or alias ARN; refused before KMS was asked`,
        );
      return;
    }
    if (m[4] === 'key') return this.check(keyId, where);
    const home = await this.homeKey();
    if (m[1] !== home.partition || m[3] !== home.account || m[2] !== this.o.region) {
      throw new KmsError(
        'Decrypt',
        'untrusted-key',
        keyId,
        `${where} names KMS alias ${JSON.stringify(keyId)} outside this tenant's account ${home.account} and region ${this.o.region}; refused before KMS was asked`,
      );
    }
  }
}
