// The tenant's volumes: the database's data and the app's files. They are created by the
// reconciler only after the StorageClass passed the encryption check (P2), which is also why the
// database uses a claim by name instead of a StatefulSet volumeClaimTemplate.
import type { PersistentVolumeClaim } from 'kubernetes-types/core/v1.js';
import type { BuildContext, Owned } from './types.js';
import { engineOf } from './engine.js';
import { Component, ownedMetadata, type ComponentName } from './meta.js';
import { canonicalQuantity } from './quantity.js';

/** Names of the tenant's PersistentVolumeClaims. */
export const PvcName = { DatabaseData: 'database-data', Files: 'files' } as const;

/** Returns the StorageClass the tenant's volumes use: its own choice, else the region's class (P8). */
export function storageClassFor(ctx: BuildContext): string {
  return ctx.tenant.spec.storage?.storageClassName ?? ctx.region.storageClassName;
}

function claim(ctx: BuildContext, name: string, component: ComponentName, appName: string, size: string): Owned<PersistentVolumeClaim> {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: ownedMetadata(ctx, name, { component, appName }),
    spec: {
      accessModes: ['ReadWriteOnce'],
      storageClassName: storageClassFor(ctx),
      // Filesystem is the API server's default; stating it keeps desired equal to stored.
      volumeMode: 'Filesystem',
      resources: { requests: { storage: canonicalQuantity(size) } },
    },
  };
}

/** Builds the PVCs of the database data and the app files, sized from the Tenant or its plan. */
export function buildPersistentVolumeClaims(ctx: BuildContext): Owned<PersistentVolumeClaim>[] {
  const plan = ctx.config.plans[ctx.tenant.spec.plan];
  return [
    claim(ctx, PvcName.DatabaseData, Component.Database, engineOf(ctx), ctx.tenant.spec.database?.storageSize ?? plan.databaseStorage),
    claim(ctx, PvcName.Files, Component.App, Component.App, ctx.tenant.spec.storage?.filesSize ?? plan.filesStorage),
  ];
}
