// The time zone list of the BackupPolicy CRD (scripts/time-zones.ts): which zones it holds, that
// the controller's own check takes each of them, how it is written between its markers, and that
// its --check fails when the CRD and the runtime disagree.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { load } from 'js-yaml';
import { findRepoRoot } from '../../scripts/generate.js';
import { IANA_LINK_NAMES } from '../../scripts/time-zone-links.js';
import {
  admittedTimeZones,
  BEGIN_MARKER,
  END_MARKER,
  listedZones,
  renderZoneRule,
  run,
  runtimeTimeZones,
  spliceZones,
  TIME_ZONE_CRD,
  zoneDrift,
} from '../../scripts/time-zones.js';
import { isKnownTimeZone, parseSchedule } from '../../src/backup/schedule.js';

const ROOT = findRepoRoot(dirname(fileURLToPath(import.meta.url)));
const CRD = readFileSync(join(ROOT, TIME_ZONE_CRD), 'utf8');
const ZONES = runtimeTimeZones();

/** Collects what run() prints. */
function io(): { out: string[]; err: string[]; io: { out: (l: string) => void; err: (l: string) => void } } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (l) => out.push(l), err: (l) => err.push(l) } };
}

/** A scratch repository holding only the BackupPolicy CRD with the given text; returns its root. */
function scratchRepo(crd: string): string {
  const root = mkdtempSync(join(tmpdir(), 'time-zones-'));
  mkdirSync(join(root, 'crds'));
  writeFileSync(join(root, TIME_ZONE_CRD), crd);
  return root;
}

/** The CEL rules of spec.timeZone in a BackupPolicy CRD text. */
function timeZoneRules(crd: string): { rule: string; messageExpression?: string }[] {
  const doc = load(crd) as {
    spec: {
      versions: {
        schema: {
          openAPIV3Schema: { properties: { spec: { properties: Record<string, { 'x-kubernetes-validations'?: { rule: string }[] }> } } };
        };
      }[];
    };
  };
  return doc.spec.versions[0]?.schema.openAPIV3Schema.properties.spec.properties['timeZone']?.['x-kubernetes-validations'] ?? [];
}

void test('review 16: the time zone --check fails when the CRD lacks a zone of the runtime or lists one it does not know', () => {
  const withoutKolkata = CRD.replace(/ 'Asia\/Kolkata',/, '');
  assert.notEqual(withoutKolkata, CRD, 'the repository CRD lists Asia/Kolkata');
  const root = scratchRepo(withoutKolkata);
  try {
    let r = io();
    assert.equal(run(['--check'], root, r.io), 1);
    assert.ok(
      r.err.some((l) => l.includes('lacks 1 zone(s) of this runtime: Asia/Kolkata')),
      r.err.join('\n'),
    );
    assert.ok(r.err.some((l) => l.includes('run npm run generate')));

    // Generating puts it back, byte for byte as in the repository.
    r = io();
    assert.equal(run([], root, r.io), 0);
    assert.equal(readFileSync(join(root, TIME_ZONE_CRD), 'utf8'), CRD);
    assert.equal(run(['--check'], root, io().io), 0);

    // A zone the runtime does not know is drift as well.
    writeFileSync(join(root, TIME_ZONE_CRD), CRD.replace("'Zulu']", "'Zulu', 'Mars/Olympus']"));
    r = io();
    assert.equal(run(['--check'], root, r.io), 1);
    assert.ok(
      r.err.some((l) => l.includes('lists 1 zone(s) this runtime does not know: Mars/Olympus')),
      r.err.join('\n'),
    );

    // So is a hand edit that keeps the names (here: two lines joined).
    const joined = CRD.replace(/(self in \[[^\n]*,)\n +'/, "$1 '");
    assert.notEqual(joined, CRD);
    writeFileSync(join(root, TIME_ZONE_CRD), joined);
    r = io();
    assert.equal(run(['--check'], root, r.io), 1);
    assert.ok(
      r.err.some((l) => l.includes('lists the right zones but not as generated')),
      r.err.join('\n'),
    );
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

void test("the repository's CRD lists exactly this runtime's zones, in the spec.timeZone rule", () => {
  assert.equal(zoneDrift(CRD, ZONES), undefined, 'crds/ is out of date with the runtime: run npm run generate');
  const rules = timeZoneRules(CRD);
  const list = rules.find((r) => r.rule.startsWith('self in ['));
  assert.ok(list, 'spec.timeZone has the generated rule');
  assert.match(list.messageExpression ?? '', /spec\.timeZone must be an IANA time zone name/);
  assert.deepEqual(listedZones(CRD), ZONES);
});

void test('the list is the runtime list plus the IANA names it resolves but does not list, and nothing else', () => {
  const intl = Intl.supportedValuesOf('timeZone');
  for (const zone of intl) assert.ok(ZONES.includes(zone), `${zone} (listed by Intl) is admitted`);
  // Current IANA spellings that ICU files under an older CLDR name, and UTC with its links.
  for (const zone of ['UTC', 'Etc/UTC', 'Asia/Kolkata', 'Europe/Kyiv', 'America/Argentina/Buenos_Aires', 'America/Nuuk', 'US/Eastern']) {
    assert.ok(!intl.includes(zone) || zone === 'UTC', `${zone} is not in Intl's own list`);
    assert.ok(ZONES.includes(zone), `${zone} is admitted`);
  }
  // ICU's legacy IDs are no IANA names (Go's time.LoadLocation, which checks the CronJob, refuses
  // them); Factory is tzdata's placeholder, which Intl refuses.
  for (const zone of ['PST', 'IST', 'SystemV/EST5', 'Factory', 'Mars/Olympus', 'europe/berlin', 'Local']) {
    assert.ok(!ZONES.includes(zone), `${zone} is not admitted`);
  }
  assert.deepEqual([...ZONES].sort(), ZONES, 'sorted');
  assert.equal(new Set(ZONES).size, ZONES.length, 'distinct');
  assert.ok(ZONES.length > 550 && ZONES.length < 700, `about 600 zones (${ZONES.length})`);
});

void test('the controller takes every admitted zone: the API server refuses nothing parseSchedule accepts from the IANA list', () => {
  for (const zone of ZONES) assert.deepEqual(parseSchedule('0 2 * * *', zone), { ok: true }, zone);
  // Every hand-kept link name still resolves in this runtime (a newer ICU that dropped one would show here).
  for (const zone of IANA_LINK_NAMES) assert.ok(isKnownTimeZone(zone), `${zone} is known to this runtime`);
});

void test('admittedTimeZones keeps only accepted names, once each, sorted', () => {
  assert.deepEqual(
    admittedTimeZones(['B/b', 'A/a', 'bad'], ['A/a', 'C/c', 'gone'], (z) => !['bad', 'gone'].includes(z)),
    ['A/a', 'B/b', 'C/c'],
  );
});

void test('the rule is a folded YAML list that CEL reads as one expression, replaced only between the markers', () => {
  const lines = renderZoneRule(['A/a', 'B/b'], '    ');
  assert.deepEqual(lines, ['    rule: >-', "      self in ['A/a', 'B/b']"]);
  assert.deepEqual(renderZoneRule([], ''), ['rule: >-', '  self in []']);
  // Long lists wrap at a comma; folding joins the lines with a space again.
  const many = Array.from({ length: 40 }, (_, i) => `Zone/Number_${i}`);
  const wrapped = renderZoneRule(many, '');
  assert.ok(wrapped.length > 3 && wrapped.every((l) => l.length <= 104), wrapped.join('\n'));
  const folded = (load(wrapped.join('\n')) as { rule: string }).rule;
  assert.equal(folded, `self in [${many.map((z) => `'${z}'`).join(', ')}]`);

  const text = ['a: 1', `  ${BEGIN_MARKER}: x`, '  rule: "false"', `  ${END_MARKER}`, 'b: 2'].join('\n');
  const spliced = spliceZones(text, ['A/a']);
  assert.equal(spliced, ['a: 1', `  ${BEGIN_MARKER}: x`, '  rule: >-', "    self in ['A/a']", `  ${END_MARKER}`, 'b: 2'].join('\n'));
  assert.equal(spliceZones(spliced, ['A/a']), spliced);
  assert.deepEqual(listedZones(spliced), ['A/a']);
  assert.throws(() => spliceZones('a: 1\n', ['A/a']), /must have one "# BEGIN generated time zones" line/);
  assert.throws(() => spliceZones(`${END_MARKER}\n${BEGIN_MARKER}\n`, ['A/a']), /must have one/);
  assert.throws(() => spliceZones(`${BEGIN_MARKER}\n${BEGIN_MARKER}\n${END_MARKER}\n`, ['A/a']), /found 2 and 1/);
});

void test('time-zones: unknown arguments are a usage error', () => {
  const r = io();
  assert.equal(run(['--frobnicate'], '/nonexistent', r.io), 2);
  assert.match(r.err.join('\n'), /unknown argument --frobnicate/);
});
