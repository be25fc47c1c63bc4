// Generated from github.com/traefik/traefik/v3@v3.7.13 (TLSOption v1alpha1) by `npm run generate`. Do not edit.

import type { V1ObjectMeta } from '@kubernetes/client-node';

export const TLS_OPTION_GROUP = 'traefik.io';
export const TLS_OPTION_VERSION = 'v1alpha1';
export const TLS_OPTION_API_VERSION = 'traefik.io/v1alpha1';
export const TLS_OPTION_PLURAL = 'tlsoptions';
export const TLS_OPTION_KIND = 'TLSOption';

/**
 * TLSOption is the CRD implementation of a Traefik TLS Option, allowing to configure some
 * parameters of the TLS connection.
 * More info:
 * https://doc.traefik.io/traefik/v3.7/reference/routing-configuration/http/tls/tls-certificates/#certificates-stores#tls-options
 *
 * A namespaced `traefik.io/v1alpha1` resource (plural `tlsoptions`).
 */
export interface TLSOption {
  apiVersion: 'traefik.io/v1alpha1';
  kind: 'TLSOption';
  metadata: V1ObjectMeta;
  /** TLSOptionSpec defines the desired state of a TLSOption. */
  spec: TLSOptionSpec;
}

/** TLSOptionSpec defines the desired state of a TLSOption. */
export interface TLSOptionSpec {
  /**
   * ALPNProtocols defines the list of supported application level protocols for the TLS handshake,
   * in order of preference.
   * More info:
   * https://doc.traefik.io/traefik/v3.7/reference/routing-configuration/http/tls/tls-certificates/#certificates-stores#alpn-protocols
   */
  alpnProtocols?: string[];
  /**
   * CipherSuites defines the list of supported cipher suites for TLS versions up to TLS 1.2.
   * More info:
   * https://doc.traefik.io/traefik/v3.7/reference/routing-configuration/http/tls/tls-certificates/#certificates-stores#cipher-suites
   */
  cipherSuites?: string[];
  /** ClientAuth defines the server's policy for TLS Client Authentication. */
  clientAuth?: TLSOptionSpecClientAuth;
  /**
   * CurvePreferences defines the preferred elliptic curves.
   * More info:
   * https://doc.traefik.io/traefik/v3.7/reference/routing-configuration/http/tls/tls-certificates/#certificates-stores#curve-preferences
   */
  curvePreferences?: string[];
  /** DisableSessionTickets disables TLS session resumption via session tickets. */
  disableSessionTickets?: boolean;
  /**
   * MaxVersion defines the maximum TLS version that Traefik will accept.
   * Possible values: VersionTLS10, VersionTLS11, VersionTLS12, VersionTLS13.
   * Default: None.
   */
  maxVersion?: string;
  /**
   * MinVersion defines the minimum TLS version that Traefik will accept.
   * Possible values: VersionTLS10, VersionTLS11, VersionTLS12, VersionTLS13.
   * Default: VersionTLS10.
   */
  minVersion?: string;
  /**
   * PreferServerCipherSuites defines whether the server chooses a cipher suite among his own
   * instead of among the client's.
   * It is enabled automatically when minVersion or maxVersion is set.
   *
   * Deprecated: https://github.com/golang/go/issues/45430
   */
  preferServerCipherSuites?: boolean;
  /**
   * SniStrict defines whether Traefik allows connections from clients connections that do not
   * specify a server_name extension.
   */
  sniStrict?: boolean;
}

/** ClientAuth defines the server's policy for TLS Client Authentication. */
export interface TLSOptionSpecClientAuth {
  /** ClientAuthType defines the client authentication type to apply. */
  clientAuthType?: TLSOptionSpecClientAuthClientAuthType;
  /**
   * SecretNames defines the names of the referenced Kubernetes Secret storing certificate details.
   */
  secretNames?: string[];
}

/** ClientAuthType defines the client authentication type to apply. */
export type TLSOptionSpecClientAuthClientAuthType =
  | 'NoClientCert'
  | 'RequestClientCert'
  | 'RequireAnyClientCert'
  | 'VerifyClientCertIfGiven'
  | 'RequireAndVerifyClientCert';
