// Network isolation of a tenant (P1): everything is denied in both directions, then only the flows
// the instance needs are opened, each by its own named policy so that `kubectl get netpol` reads
// as the list of allowed flows. Policies are additive, so every allow below is the whole truth.
import type { LabelSelector } from 'kubernetes-types/meta/v1.js';
import type { NetworkPolicy, NetworkPolicySpec } from 'kubernetes-types/networking/v1.js';
import type { BuildContext, Owned } from './types.js';
import { databasePort, engineOf } from './engine.js';
import { egressExceptions, ipBlockPeer } from './ip-block.js';
import { Component, ownedMetadata, selectorLabels } from './meta.js';

/** The label every namespace carries with its own name (set by the API server, cannot be forged). */
const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

/** Names of the tenant's NetworkPolicies. */
export const NetworkPolicyName = {
  DefaultDeny: 'default-deny',
  DnsEgress: 'allow-dns-egress',
  IngressToApp: 'allow-ingress-controller-to-app',
  AppToDatabase: 'allow-app-to-database',
  DatabaseFromApp: 'allow-database-from-app',
  AppEgress: 'allow-app-egress',
} as const;

function policy(ctx: BuildContext, name: string, spec: NetworkPolicySpec): Owned<NetworkPolicy> {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: ownedMetadata(ctx, name), spec };
}

/** Builds the tenant's NetworkPolicies: default deny, then DNS, ingress controller → app, app ↔ database and configured egress. */
export function buildNetworkPolicies(ctx: BuildContext): Owned<NetworkPolicy>[] {
  const { config } = ctx;
  // Functions, not shared objects: each manifest gets its own tree, safe to modify.
  const app = (): LabelSelector => ({ matchLabels: selectorLabels(ctx, Component.App) });
  const database = (): LabelSelector => ({ matchLabels: selectorLabels(ctx, Component.Database) });
  const dbPort = databasePort(engineOf(ctx));
  const policies: Owned<NetworkPolicy>[] = [
    // An empty pod selector selects every pod; listing both types with no rules denies all traffic.
    policy(ctx, NetworkPolicyName.DefaultDeny, { podSelector: {}, policyTypes: ['Ingress', 'Egress'] }),
    policy(ctx, NetworkPolicyName.DnsEgress, {
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [
        {
          // Namespace AND pod selector in one peer: only the DNS pods, not every pod of kube-system.
          to: [
            {
              namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: config.dns.namespace } },
              podSelector: { matchLabels: { ...config.dns.podLabels } },
            },
          ],
          ports: [
            { protocol: 'UDP', port: 53 },
            { protocol: 'TCP', port: 53 },
          ],
        },
      ],
    }),
    policy(ctx, NetworkPolicyName.IngressToApp, {
      podSelector: app(),
      policyTypes: ['Ingress'],
      ingress: [
        {
          from: [
            {
              namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: config.ingress.controllerNamespace } },
              podSelector: { matchLabels: { ...config.ingress.controllerPodLabels } },
            },
          ],
          ports: [{ protocol: 'TCP', port: config.appPort }],
        },
      ],
    }),
    policy(ctx, NetworkPolicyName.AppToDatabase, {
      podSelector: app(),
      policyTypes: ['Egress'],
      // A peer with only a pod selector means pods of this namespace: the tenant's own database.
      egress: [{ to: [{ podSelector: database() }], ports: [{ protocol: 'TCP', port: dbPort }] }],
    }),
    policy(ctx, NetworkPolicyName.DatabaseFromApp, {
      podSelector: database(),
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ podSelector: app() }], ports: [{ protocol: 'TCP', port: dbPort }] }],
    }),
  ];
  // Only with destinations configured: an egress rule with no peers would allow everything.
  if (config.egress.length > 0) {
    // Cut out of each rule: a rule for "the internet" (0.0.0.0/0 on 443) must not also open the
    // metadata endpoint (the node's cloud credentials), the API server and every internal service.
    const except = egressExceptions(config.egressExcept, config.clusterCidrs);
    policies.push(
      policy(ctx, NetworkPolicyName.AppEgress, {
        podSelector: app(),
        policyTypes: ['Egress'],
        egress: config.egress.map((rule, i) => ({
          to: [ipBlockPeer(rule.cidr, except, `egress[${i}].cidr`)],
          ports: rule.ports.map((p) => ({ protocol: p.protocol, port: p.port })),
        })),
      }),
    );
  }
  return policies;
}
