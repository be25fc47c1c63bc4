// The range arithmetic of src/net/cidr.ts that the configuration's egress checks rely on.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cidrCovered, exceptionsInside, hostCidr, parseCidr, type Cidr } from '../../src/net/cidr.js';

const c = (text: string): Cidr => {
  const parsed = parseCidr(text);
  if (typeof parsed === 'string') throw new Error(`${text} ${parsed}`);
  return parsed;
};

test('parseCidr refuses an octet above 255 and a prefix beyond the family', () => {
  assert.equal(parseCidr('999.1.1.1/8'), 'must be a CIDR such as 192.0.2.0/24');
  assert.equal(parseCidr('10.0.0.256/32'), 'must be a CIDR such as 192.0.2.0/24');
  assert.equal(parseCidr('10.0.0.0/33'), 'has a prefix longer than 32');
});

test('hostCidr writes one address as its /32 or /128, and refuses what is no address', () => {
  assert.equal(hostCidr('10.96.0.1'), '10.96.0.1/32');
  assert.equal(hostCidr('FD00:10:96:0:0:0:0:1'), 'fd00:10:96::1/128');
  assert.equal(hostCidr('kubernetes.default'), undefined);
  assert.equal(hostCidr('999.0.0.1'), undefined);
});

test('cidrCovered takes ranges together: one around the target, or pieces that fill it', () => {
  const rows: [string, string[], boolean][] = [
    ['10.96.0.0/12', ['10.0.0.0/8'], true],
    ['10.96.0.0/12', ['10.96.0.0/12'], true],
    ['10.96.0.0/12', ['10.96.0.0/13', '10.104.0.0/13'], true],
    ['10.96.0.0/12', ['10.96.0.0/13', '10.104.0.0/14', '10.108.0.0/14'], true],
    ['10.96.0.0/12', ['10.96.0.0/13'], false],
    ['10.96.0.0/12', ['10.96.0.0/13', '10.104.0.0/14'], false],
    ['10.96.0.0/12', ['fd00::/8'], false],
    ['10.96.0.1/32', ['10.96.0.0/12'], true],
    ['fd00:10:96::1/128', ['fd00::/8'], true],
    ['10.96.0.0/12', [], false],
  ];
  for (const [target, ranges, want] of rows) assert.equal(cidrCovered(c(target), ranges.map(c)), want, `${target} by ${ranges.join(', ')}`);
});

test('exceptionsInside keeps only the exceptions strictly inside the range', () => {
  assert.deepEqual(exceptionsInside('0.0.0.0/0', ['10.0.0.0/8', 'fe80::/10'], 'egress[0].cidr'), ['10.0.0.0/8']);
  assert.deepEqual(exceptionsInside('10.0.0.0/8', ['10.0.0.0/8', '10.96.0.0/12'], 'egress[0].cidr'), ['10.96.0.0/12']);
  assert.throws(
    () => exceptionsInside('10.0.0.1/8', [], 'egress[0].cidr'),
    /^Error: egress\[0\]\.cidr "10\.0\.0\.1\/8" must be written as 10\.0\.0\.0\/8/,
  );
});
