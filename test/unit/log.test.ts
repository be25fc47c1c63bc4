// Unit tests of the logger: JSON lines with a timestamp, and no secret ever reaches the output,
// whether it sits under a secret-sounding name, deep inside an object, in an error, or in a
// string that merely looks like a token, a PEM block or a URL with a password.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiException } from '@kubernetes/client-node';
import { createLogger, getLogger, isSecretKey, REDACTED, setLogger, tenantLogger } from '../../src/log.js';
import { captureLog } from '../support/log-capture.js';

/** Returns the value at a dotted path ("db.nested.0.apiToken") of a parsed log line. */
function at(value: unknown, path: string): unknown {
  return path
    .split('.')
    .reduce<unknown>((v, k) => (v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), value);
}

const SECRETS = {
  password: 'hunter2-db-password',
  token: 'sa-token-value-123',
  jwt: 'eyJhbGciOiJSUzI1NiIsImtpZCI6IjEifQ.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQifQ.c2lnbmF0dXJlLXZhbHVl',
  pemBody: 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7',
  plaintext: 'kms-plaintext-data-key-bytes',
  awsSecret: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  urlPassword: 's3cr3t-in-url',
  secretData: 'c3VwZXItc2VjcmV0LWJhc2U2NA==',
};

describe('logger', () => {
  test('writes one JSON object per line with level, message and timestamp', () => {
    const { logger, lines } = captureLog('info');
    logger.info('hello', { tenant: 'acme', count: 3 });
    logger.debug('not at info level');
    const out = lines();
    assert.equal(out.length, 1);
    const [line] = out as [Record<string, unknown>];
    assert.equal(at(line, 'level'), 'info');
    assert.equal(at(line, 'message'), 'hello');
    assert.equal(at(line, 'tenant'), 'acme');
    assert.equal(at(line, 'count'), 3);
    assert.ok(!Number.isNaN(Date.parse(String(at(line, 'timestamp')))), 'timestamp must be a date');
  });

  test('rejects an unknown level with the list of valid ones', () => {
    assert.throws(() => createLogger('loud'), /unknown log level "loud".*error, warn, info/);
  });

  test('redacts fields by name, at any depth, in arrays, and keeps benign ones', () => {
    const { logger, text, lines } = captureLog();
    logger.info('applying', {
      password: SECRETS.password,
      db: { user: 'app', adminPassword: SECRETS.password, nested: [{ apiToken: SECRETS.token }] },
      dataKeyPlaintext: SECRETS.plaintext,
      kms: { secretAccessKey: SECRETS.awsSecret, kmsKeyId: 'alias/tenantry', keyArn: 'arn:aws:kms:eu-west-1:1:key/abc' },
      headers: { Authorization: `Bearer ${SECRETS.token}` },
      credentials: { anything: 'at-all' },
      secretName: 'acme-db',
      objectKey: 'tenants/acme/backup-1/manifest.json',
    });
    const out = text();
    for (const s of [SECRETS.password, SECRETS.token, SECRETS.plaintext, SECRETS.awsSecret, 'at-all']) {
      assert.ok(!out.includes(s), `secret ${s} leaked: ${out}`);
    }
    const [line] = lines();
    assert.equal(at(line, 'password'), REDACTED);
    assert.equal(at(line, 'db.user'), 'app');
    assert.equal(at(line, 'db.adminPassword'), REDACTED);
    assert.equal(at(line, 'db.nested.0.apiToken'), REDACTED);
    assert.equal(at(line, 'kms.kmsKeyId'), 'alias/tenantry');
    assert.equal(at(line, 'kms.keyArn'), 'arn:aws:kms:eu-west-1:1:key/abc');
    assert.equal(at(line, 'headers.Authorization'), REDACTED);
    assert.equal(at(line, 'credentials'), REDACTED);
    assert.equal(at(line, 'secretName'), 'acme-db');
    assert.equal(at(line, 'objectKey'), 'tenants/acme/backup-1/manifest.json');
  });

  test('redacts secret-shaped values under innocent names and inside messages', () => {
    const { logger, text } = captureLog();
    const pem = `-----BEGIN RSA PRIVATE KEY-----\n${SECRETS.pemBody}\n-----END RSA PRIVATE KEY-----`;
    logger.info(`calling the API with Bearer ${SECRETS.token}`, {
      note: `cert follows ${pem} done`,
      truncated: `-----BEGIN PRIVATE KEY-----\n${SECRETS.pemBody}`,
      raw: SECRETS.jwt,
      url: `postgres://app:${SECRETS.urlPassword}@acme-db:5432/app`,
      header: `Basic ${Buffer.from('u:p').toString('base64')}`,
    });
    const out = text();
    for (const s of [SECRETS.token, SECRETS.pemBody, SECRETS.jwt, SECRETS.urlPassword, 'dTpw']) {
      assert.ok(!out.includes(s), `secret ${s} leaked: ${out}`);
    }
    assert.match(out, /calling the API with Bearer \[REDACTED\]/);
    assert.match(out, /cert follows \[REDACTED\] done/);
    assert.match(out, /postgres:\/\/app:\[REDACTED\]@acme-db:5432\/app/);
  });

  test('redacts errors: message, stack, custom fields and causes', () => {
    const { logger, text, lines } = captureLog();
    const cause = new Error(`connect failed for postgres://app:${SECRETS.urlPassword}@db`);
    const err = Object.assign(new Error(`request with Bearer ${SECRETS.token} failed`, { cause }), { token: SECRETS.token });
    logger.error('step failed', { err });
    logger.error(new Error(`top-level Bearer ${SECRETS.token}`));
    const out = text();
    assert.ok(!out.includes(SECRETS.token), out);
    assert.ok(!out.includes(SECRETS.urlPassword), out);
    const [first, second] = lines();
    assert.equal(at(first, 'err.name'), 'Error');
    assert.match(String(at(first, 'err.message')), /request with Bearer \[REDACTED\] failed/);
    assert.match(String(at(first, 'err.stack')), /at /, 'the stack is kept');
    assert.equal(at(first, 'err.token'), REDACTED);
    assert.match(String(at(first, 'err.cause.message')), /postgres:\/\/app:\[REDACTED\]@db/);
    assert.match(String(at(second, 'message')), /top-level Bearer \[REDACTED\]/);
  });

  test('keeps the HTTP status of an ApiException', () => {
    const { logger, lines } = captureLog();
    logger.warn('api', { err: new ApiException<string>(409, 'HTTP-Code: 409', '{"reason":"Conflict"}', { 'audit-id': 'x' }) });
    const [line] = lines();
    assert.equal(at(line, 'err.code'), 409);
    assert.equal(at(line, 'err.body'), '{"reason":"Conflict"}');
  });

  test('never logs raw bytes or the data of a Secret object', () => {
    const { logger, text, lines } = captureLog();
    const secret = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'acme-db', namespace: 'tenant-acme' },
      data: { 'db-url': SECRETS.secretData },
      stringData: { 'db-url': SECRETS.urlPassword },
    };
    logger.info('applied', { object: secret, blob: Buffer.from(SECRETS.plaintext) });
    logger.info('applied top-level', secret);
    const out = text();
    assert.ok(!out.includes(SECRETS.secretData), out);
    assert.ok(!out.includes(SECRETS.urlPassword), out);
    assert.ok(!out.includes(Buffer.from(SECRETS.plaintext).toString('base64')), out);
    const [first] = lines();
    assert.equal(at(first, 'object.metadata.name'), 'acme-db', 'metadata of a Secret is kept');
    assert.equal(at(first, 'blob'), `[${SECRETS.plaintext.length} bytes]`);
  });

  test('survives cycles and does not modify the caller’s objects', () => {
    const { logger, lines } = captureLog();
    const meta: Record<string, unknown> = { config: { password: SECRETS.password } };
    meta.self = meta;
    logger.info('cyclic', { meta });
    assert.equal((meta.config as { password: string }).password, SECRETS.password);
    const [line] = lines();
    assert.equal(at(line, 'meta.self'), '[Circular]');
    assert.equal(at(line, 'meta.config.password'), REDACTED);
  });

  test('child loggers for a tenant carry the tenant on every line', () => {
    const { logger, lines } = captureLog();
    const log = tenantLogger('acme', logger);
    log.info('one');
    log.child({ step: 'namespace' }).warn('two', { password: SECRETS.password });
    const out = lines();
    assert.deepEqual(
      out.map((l) => [l.tenant, l.message]),
      [
        ['acme', 'one'],
        ['acme', 'two'],
      ],
    );
    assert.equal(out[1]?.step, 'namespace');
    assert.equal(out[1]?.password, REDACTED);
  });

  test('the process-wide logger can be replaced, and tenantLogger uses it by default', () => {
    const previous = getLogger();
    const { logger, lines } = captureLog();
    try {
      setLogger(logger);
      assert.equal(getLogger(), logger);
      tenantLogger('beta').info('via default');
      assert.equal(lines()[0]?.tenant, 'beta');
    } finally {
      setLogger(previous);
    }
  });

  test('classifies field names', () => {
    for (const k of [
      'password',
      'pass',
      'dbPassword',
      'secret',
      'clientSecret',
      'token',
      'sessionToken',
      'key',
      'privateKey',
      'dataKey',
      'plaintext',
      'Plaintext',
      'credentials',
      'authorization',
      'secretAccessKey',
    ]) {
      assert.ok(isSecretKey(k), `${k} should be secret`);
    }
    for (const k of [
      'keyId',
      'kmsKeyId',
      'dataKeyId',
      'keyArn',
      'secretName',
      'secretRef',
      'passwordSecretRef',
      'tokenExpiresAt',
      'objectKey',
      'tenant',
      'namespace',
      'message',
    ]) {
      assert.ok(!isSecretKey(k), `${k} should not be secret`);
    }
  });
});
