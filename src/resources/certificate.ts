// The tenant's TLS certificate (P4), issued and renewed by cert-manager into `<tenant>-tls` in the
// tenant namespace, where the Ingress, the Traefik routes or the tenant's ListenerSet read it.
import type { Certificate } from '../api/upstream/index.js';
import type { BuildContext, Owned } from './types.js';
import { MANAGED_BY_LABEL } from '../api/names.js';
import { Component, ownedLabels, ownedMetadata, tlsSecretName } from './meta.js';

/** Returns the labels cert-manager puts on the TLS Secret: the tenant's, without managed-by. */
function secretLabels(ctx: BuildContext): Record<string, string> {
  const { [MANAGED_BY_LABEL]: _managedBy, ...labels } = ownedLabels(ctx, Component.Tls);
  return labels;
}

/** Builds the cert-manager Certificate for the tenant's host: ECDSA P-256, a new key at every renewal. */
export function buildCertificate(ctx: BuildContext): Owned<Certificate> {
  const secretName = tlsSecretName(ctx);
  return {
    apiVersion: 'cert-manager.io/v1',
    kind: 'Certificate',
    metadata: ownedMetadata(ctx, secretName, { component: Component.Tls }),
    spec: {
      secretName,
      // The Secret is recognisable as the tenant's; no managed-by label, because cert-manager, not
      // Tenantry, writes it (and Tenantry's informers must not take it for one of its own objects).
      secretTemplate: { labels: secretLabels(ctx) },
      dnsNames: [ctx.host],
      issuerRef: { group: 'cert-manager.io', kind: ctx.config.tls.issuerKind, name: ctx.config.tls.issuerName },
      // A fresh key at every renewal limits what a leaked key can decrypt or impersonate.
      privateKey: { algorithm: 'ECDSA', size: 256, rotationPolicy: 'Always' },
    },
  };
}
