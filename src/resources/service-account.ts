// The tenant's own ServiceAccounts (P1). No API token is mounted and no Role is bound: the
// workloads never talk to the Kubernetes API, so a compromised pod has no credential to use.
import type { ServiceAccount } from 'kubernetes-types/core/v1.js';
import type { BuildContext, Owned } from './types.js';
import { engineOf } from './engine.js';
import { Component, ownedMetadata, type ComponentName } from './meta.js';

/** Names of the tenant's ServiceAccounts. */
export const ServiceAccountName = { App: 'app', Database: 'database' } as const;

function serviceAccount(ctx: BuildContext, name: string, component: ComponentName, appName: string): Owned<ServiceAccount> {
  return {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: ownedMetadata(ctx, name, { component, appName }),
    automountServiceAccountToken: false,
  };
}

/** Builds the ServiceAccounts of the app and the database, both without a mounted token. */
export function buildServiceAccounts(ctx: BuildContext): Owned<ServiceAccount>[] {
  return [
    serviceAccount(ctx, ServiceAccountName.App, Component.App, Component.App),
    serviceAccount(ctx, ServiceAccountName.Database, Component.Database, engineOf(ctx)),
  ];
}
