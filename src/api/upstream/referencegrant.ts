// Generated from sigs.k8s.io/gateway-api@v1.6.3 (ReferenceGrant v1) by `npm run generate`. Do not edit.

import type { V1ObjectMeta } from '@kubernetes/client-node';

export const REFERENCE_GRANT_GROUP = 'gateway.networking.k8s.io';
export const REFERENCE_GRANT_VERSION = 'v1';
export const REFERENCE_GRANT_API_VERSION = 'gateway.networking.k8s.io/v1';
export const REFERENCE_GRANT_PLURAL = 'referencegrants';
export const REFERENCE_GRANT_KIND = 'ReferenceGrant';

/**
 * ReferenceGrant identifies kinds of resources in other namespaces that are
 * trusted to reference the specified kinds of resources in the same namespace
 * as the policy.
 *
 * Each ReferenceGrant can be used to represent a unique trust relationship.
 * Additional Reference Grants can be used to add to the set of trusted
 * sources of inbound references for the namespace they are defined within.
 *
 * All cross-namespace references in Gateway API (with the exception of cross-namespace
 * Gateway-route attachment) require a ReferenceGrant.
 *
 * ReferenceGrant is a form of runtime verification allowing users to assert
 * which cross-namespace object references are permitted. Implementations that
 * support ReferenceGrant MUST NOT permit cross-namespace references which have
 * no grant, and MUST respond to the removal of a grant by revoking the access
 * that the grant allowed.
 *
 * A namespaced `gateway.networking.k8s.io/v1` resource (plural `referencegrants`).
 */
export interface ReferenceGrant {
  apiVersion: 'gateway.networking.k8s.io/v1';
  kind: 'ReferenceGrant';
  metadata: V1ObjectMeta;
  /** Spec defines the desired state of ReferenceGrant. */
  spec: ReferenceGrantSpec;
}

/** Spec defines the desired state of ReferenceGrant. */
export interface ReferenceGrantSpec {
  /**
   * From describes the trusted namespaces and kinds that can reference the
   * resources described in "To". Each entry in this list MUST be considered
   * to be an additional place that references can be valid from, or to put
   * this another way, entries MUST be combined using OR.
   *
   * Support: Core
   */
  from: ReferenceGrantSpecFromItem[];
  /**
   * To describes the resources that may be referenced by the resources
   * described in "From". Each entry in this list MUST be considered to be an
   * additional place that references can be valid to, or to put this another
   * way, entries MUST be combined using OR.
   *
   * Support: Core
   */
  to: ReferenceGrantSpecToItem[];
}

/** ReferenceGrantFrom describes trusted namespaces and kinds. */
export interface ReferenceGrantSpecFromItem {
  /**
   * Group is the group of the referent.
   * When empty, the Kubernetes core API group is inferred.
   *
   * Support: Core
   */
  group: string;
  /**
   * Kind is the kind of the referent. Although implementations may support
   * additional resources, the following types are part of the "Core"
   * support level for this field.
   *
   * When used to permit a SecretObjectReference:
   *
   * * Gateway
   *
   * When used to permit a BackendObjectReference:
   *
   * * GRPCRoute
   * * HTTPRoute
   * * TCPRoute
   * * TLSRoute
   * * UDPRoute
   */
  kind: string;
  /**
   * Namespace is the namespace of the referent.
   *
   * Support: Core
   */
  namespace: string;
}

/**
 * ReferenceGrantTo describes what Kinds are allowed as targets of the
 * references.
 */
export interface ReferenceGrantSpecToItem {
  /**
   * Group is the group of the referent.
   * When empty, the Kubernetes core API group is inferred.
   *
   * Support: Core
   */
  group: string;
  /**
   * Kind is the kind of the referent. Although implementations may support
   * additional resources, the following types are part of the "Core"
   * support level for this field:
   *
   * * Secret when used to permit a SecretObjectReference
   * * Service when used to permit a BackendObjectReference
   */
  kind: string;
  /**
   * Name is the name of the referent. When unspecified, this policy
   * refers to all resources of the specified Group and Kind in the local
   * namespace.
   */
  name?: string;
}
