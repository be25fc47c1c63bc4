// P4 on the wire: Traefik serves the operator's objects to a real TLS scanner and a real HTTPS
// client, for the `traefik` provider (IngressRoute, TLSOption, Middlewares) and the `gateway` provider
// (HTTPRoutes on a Gateway whose HTTPS listener presents each tenant's certificate through the
// operator's ReferenceGrant). Three tenants shaped like the samples per provider: a trial on PostgreSQL,
// a paid one on MariaDB, a suspended one. Then each rule is broken on purpose, with the operator stopped
// so it cannot repair it, and the check must name the tenant and the rule.
//
// Not covered: the `ListenerSet` TLS listener (Traefik v3.6.12 does not serve ListenerSet), and the
// `nginx` provider (ingress-nginx cannot run here; its objects are checked as written elsewhere).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { ECDHE_CIPHERS_GO } from '../../src/resources/ingress.js';
import { applyObjects, eventually } from '../support/cluster.js';
import { kubectlOk } from '../support/kubectl.js';
import { startOperator, type TestOperator } from '../support/operator.js';
import { scanSummary } from '../support/tls-scan.js';
import {
  crossTenantViolations,
  GATEWAY,
  hstsViolations,
  httpsGet,
  platformGateway,
  redirectViolations,
  scanTenant,
  startWirePlatform,
  suspendedViolations,
  waitServed,
  wireOperatorConfig,
  wireTenants,
  type WirePlatform,
  type WireProvider,
  type WireTenant,
} from '../support/wire-env.js';

const RUN = randomBytes(3).toString('hex');
const PROVIDERS: WireProvider[] = ['traefik', 'gateway'];
/** Time budget per provider: operator start, three tenants served, scans, checks and the break tests. */
const PROVIDER_BUDGET_MS = 80_000;
/** How long tenants may take from `kubectl apply` to an HTTPS answer of their own app. */
const SERVE_TIMEOUT_MS = 45_000;
/** Suites a Go server offers only when a TLSOption allows them: CBC mode, TLS 1.0 capable. */
const CBC_SUITES = ['TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA', 'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA'];

/**
 * Known gaps of Traefik v3.6.12, kept running as todo tests so their violations show in the output.
 * Traefik refuses a Host header that differs from the SNI (421) only when the two hosts have different
 * TLS options (pkg/middlewares/snicheck); its Gateway API provider gives every route the `default`
 * TLSOption, so a request for tenant B over tenant A's TLS session (A's certificate) reaches B's app.
 */
const CROSS_TENANT_GAP: Partial<Record<WireProvider, string>> = {
  gateway: "Traefik's Gateway provider: all routes share the default TLSOption, so its SNI check never answers 421",
};

const setups = PROVIDERS.map((provider) => {
  const label = { 'tenantry.io/test': `${RUN}-wire-${provider}` };
  return { provider, label, tenants: wireTenants(RUN, provider, label) };
});

describe('P4 on the wire: Traefik serves every tenant over TLS 1.2/1.3 with forward secrecy and HSTS', { timeout: 240_000 }, () => {
  let platform: WirePlatform;
  const platformLog: string[] = [];

  before(async () => {
    const names = setups.flatMap((s) => s.tenants.map((t) => t.wire.name));
    platform = await startWirePlatform(names, (line) => platformLog.push(line));
  });
  after(async () => {
    await platform?.stop();
  });

  for (const { provider, label, tenants } of setups) {
    describe(`the ${provider} provider`, { timeout: PROVIDER_BUDGET_MS }, () => {
      const wire = tenants.map((t) => t.wire);
      const served = wire.filter((t) => !t.suspended);
      const suspended = wire.filter((t) => t.suspended);
      const [trial, paid] = served as [WireTenant, WireTenant];
      let op: TestOperator | undefined;
      let started = 0;

      before(async () => {
        started = Date.now();
        if (provider === 'gateway') await applyObjects(platformGateway(platform.endpoint, served));
        op = await startOperator({
          identity: `wire-${provider}`,
          config: wireOperatorConfig(provider, platform),
          tenantSelector: `tenantry.io/test=${label['tenantry.io/test']}`,
        });
        await applyObjects(tenants.map((t) => t.manifest));
        try {
          await Promise.all(served.map((t) => waitServed(platform, t, SERVE_TIMEOUT_MS)));
        } catch (e) {
          throw new Error(
            `${(e as Error).message}\nplatform log:\n${platformLog.slice(-30).join('\n')}\nTraefik log: ${platform.traefik.logFile}`,
          );
        }
      });
      after(async (t) => {
        await op?.stop();
        if (provider === 'gateway')
          await kubectlOk(['delete', 'gateway.gateway.networking.k8s.io', GATEWAY.name, '-n', GATEWAY.namespace, '--ignore-not-found']);
        t.diagnostic(`${provider}: ${((Date.now() - started) / 1000).toFixed(1)} s from operator start to the last check`);
      });

      test('sslscan: only TLS 1.2 and 1.3, every suite forward secret, no CBC, no RSA key exchange, the certificate names the host alone', async (t) => {
        const scans = await Promise.all(served.map((tenant) => scanTenant(tenant, platform.endpoint)));
        scans.forEach(({ scan }, i) => t.diagnostic(`${provider} ${served[i]!.name} (${served[i]!.shape}):\n${scanSummary(scan)}`));
        assert.deepEqual(
          scans.flatMap((s) => s.violations),
          [],
        );
        for (const { scan } of scans) {
          // The scan must have seen something: a scanner that failed to connect would report no violation either.
          assert.ok(
            scan.protocols.some((p) => p.name === 'TLSv1.2' && p.enabled),
            `${scan.target}: TLSv1.2 offered`,
          );
          assert.ok(scan.ciphers.length > 0, `${scan.target}: suites found`);
        }
      });

      test('HSTS: every HTTPS answer carries Strict-Transport-Security with max-age of at least a year', async () => {
        const violations = (await Promise.all(served.map((tenant) => hstsViolations(tenant, platform.endpoint)))).flat();
        assert.deepEqual(violations, []);
      });

      test('plain HTTP answers only with a permanent redirect to https://<host>/...', async () => {
        const violations = (await Promise.all(served.map((tenant) => redirectViolations(tenant, platform.endpoint)))).flat();
        assert.deepEqual(violations, []);
      });

      test(
        "another tenant's Host header over this tenant's SNI never reaches the other tenant's app",
        { todo: CROSS_TENANT_GAP[provider] },
        async () => {
          const violations: string[] = [];
          for (const tenant of served)
            for (const other of wire.filter((o) => o !== tenant))
              violations.push(...(await crossTenantViolations(tenant, other, platform.endpoint)));
          assert.deepEqual(violations, []);
          // The same request with matching names does reach the app: the probe above could tell.
          const own = await httpsGet(platform.endpoint, trial.host, '/');
          assert.equal(own.headers['x-tenantry-namespace'], trial.namespace);
        },
      );

      test('the suspended tenant serves nothing: no route, never its app', async () => {
        const violations = (await Promise.all(suspended.map((tenant) => suspendedViolations(tenant, platform.endpoint)))).flat();
        assert.deepEqual(violations, []);
      });

      if (provider === 'traefik') {
        test('broken on purpose: a TLSOption that allows TLS 1.0 and CBC fails the scan, naming the tenant and the rules', async () => {
          await op?.stop();
          await kubectlOk([
            'patch',
            'tlsoption.traefik.io',
            'tls-policy',
            '-n',
            trial.namespace,
            '--type',
            'merge',
            '-p',
            JSON.stringify({ spec: { minVersion: 'VersionTLS10', cipherSuites: [...ECDHE_CIPHERS_GO, ...CBC_SUITES] } }),
          ]);
          const violations = await eventually(
            `${trial.host} offers TLS 1.0 after the patch`,
            async () => {
              const { violations: v } = await scanTenant(trial, platform.endpoint);
              return v.some((x) => x.includes('TLSv1.0')) ? v : undefined;
            },
            30_000,
            1000,
          );
          const named = (rule: RegExp) => violations.some((v) => v.startsWith(`tenant ${trial.name} (${trial.host})`) && rule.test(v));
          assert.ok(named(/TLSv1\.0/), `a violation names the tenant and TLSv1.0:\n${violations.join('\n')}`);
          assert.ok(named(/CBC/i), `a violation names the tenant and CBC:\n${violations.join('\n')}`);
          // The other tenants keep their own TLSOption: the break is the trial's alone.
          assert.deepEqual((await scanTenant(paid, platform.endpoint)).violations, []);
        });
      }

      test('broken on purpose: a route without HSTS fails the HSTS check, naming the tenant and the rule', async () => {
        await op?.stop();
        const [kind, patch] =
          provider === 'traefik'
            ? ['ingressroute.traefik.io', [{ op: 'remove', path: '/spec/routes/0/middlewares' }]]
            : ['httproute.gateway.networking.k8s.io', [{ op: 'remove', path: '/spec/rules/0/filters' }]];
        await kubectlOk(['patch', kind, 'app-https', '-n', paid.namespace, '--type', 'json', '-p', JSON.stringify(patch)]);
        const violations = await eventually(
          `${paid.host} answering without HSTS after the patch`,
          async () => {
            const v = await hstsViolations(paid, platform.endpoint);
            return v.length > 0 ? v : undefined;
          },
          20_000,
          250,
        );
        assert.ok(
          violations.some(
            (v) => v.startsWith(`tenant ${paid.name} (${paid.host}): HSTS:`) && v.includes('without a Strict-Transport-Security header'),
          ),
          violations.join('\n'),
        );
        // Only the broken route lost it.
        assert.deepEqual(await hstsViolations(trial, platform.endpoint), []);
      });
    });
  }
});
