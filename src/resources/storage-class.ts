// Whether a StorageClass is known to encrypt its volumes (P2). Tenantry provisions no volume on a
// class it cannot vouch for: it checks before each PVC is created and reports the result as the
// StorageEncrypted condition, with a message an administrator can act on.
import type { V1StorageClass } from '@kubernetes/client-node';
import { Reason } from '../api/conditions.js';
import { ENCRYPTED_CLASS_ANNOTATION } from '../api/names.js';

/** The verdict on one StorageClass. */
export interface StorageClassEncryption {
  encrypted: boolean;
  /** CamelCase reason for the StorageEncrypted condition. */
  reason: string;
  message: string;
}

/** Provisioners whose `encrypted: "true"` parameter means encryption at rest (EBS CSI and the in-tree AWS EBS plugin). */
const EBS_PROVISIONERS = new Set(['ebs.csi.aws.com', 'kubernetes.io/aws-ebs']);

/**
 * Decides whether a StorageClass (undefined when it does not exist) encrypts its volumes: an EBS
 * class with `parameters.encrypted: "true"`, or any class an administrator annotated `tenantry.io/encrypted: "true"`.
 */
export function storageClassEncryption(sc: V1StorageClass | undefined, name: string): StorageClassEncryption {
  if (!sc) {
    return {
      encrypted: false,
      reason: Reason.StorageClassNotFound,
      message: `StorageClass "${name}" does not exist, so no volume is provisioned: create it (encrypted, e.g. EBS CSI with parameters encrypted: "true" and kmsKeyId), or set the region's storageClassName or the Tenant's spec.storage.storageClassName to an existing encrypted class`,
    };
  }
  const provisioner = sc.provisioner;
  const ebs = EBS_PROVISIONERS.has(provisioner);
  // Parameters are opaque strings handed to the provisioner: only EBS reads "encrypted". Any other
  // provisioner ignores it (local-path, NFS) or means something else by it, and its volumes are
  // whatever they are; trusting the word there would provision in the clear (P2).
  if (ebs && sc.parameters?.encrypted === 'true') {
    const kms = sc.parameters.kmsKeyId ? ` with KMS key ${sc.parameters.kmsKeyId}` : " with the account's default EBS key";
    return {
      encrypted: true,
      reason: Reason.EncryptedStorageClass,
      message: `StorageClass "${name}" (${provisioner}) encrypts its volumes${kms}`,
    };
  }
  if (sc.metadata?.annotations?.[ENCRYPTED_CLASS_ANNOTATION] === 'true') {
    return {
      encrypted: true,
      reason: Reason.EncryptedStorageClass,
      message: `StorageClass "${name}" (${provisioner}) is declared encrypted by an administrator (annotation ${ENCRYPTED_CLASS_ANNOTATION}: "true")`,
    };
  }
  // Say what was seen, because "encrypted: True" or "yes" looks right to a person but is not what we check.
  const seen =
    sc.parameters?.encrypted === undefined
      ? 'has no parameter "encrypted"'
      : !ebs
        ? `has parameters.encrypted "${sc.parameters.encrypted}", which means encryption only for the EBS provisioners (${[...EBS_PROVISIONERS].join(', ')}), not for ${provisioner},`
        : `has parameters.encrypted "${sc.parameters.encrypted}", not "true"`;
  const fix = ebs
    ? `create an encrypted class (parameters encrypted: "true", kmsKeyId: <the region's key>; parameters of an existing class cannot be changed) and point the region's storageClassName to it`
    : `use a class whose volumes are encrypted, or, if this provisioner encrypts at rest by itself, annotate the class with ${ENCRYPTED_CLASS_ANNOTATION}: "true" to vouch for it`;
  return {
    encrypted: false,
    reason: Reason.StorageClassNotEncrypted,
    message: `StorageClass "${name}" (${provisioner}) ${seen} and no annotation ${ENCRYPTED_CLASS_ANNOTATION}: "true", so it is not known to encrypt volumes and no volume is provisioned on it: ${fix}`,
  };
}
