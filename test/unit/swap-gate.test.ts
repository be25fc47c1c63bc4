// The barrier that keeps the parts of a restore from swapping in unless every part loaded.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SwapGate } from '../../src/backup/swap-gate.js';

test('parties go on only once all have arrived', async () => {
  const gate = new SwapGate(2);
  let first = false;
  const a = gate.arrive().then(() => (first = true));
  await new Promise((r) => setImmediate(r));
  assert.equal(first, false, 'the first part swapped before the second loaded');
  await gate.arrive();
  await a;
  assert.equal(first, true);
});

test('a failed party releases a waiting one with the failure', async () => {
  const gate = new SwapGate(2);
  const waiting = gate.arrive();
  gate.fail(new Error('files: chunk 3 failed authentication'));
  await assert.rejects(waiting, /not swapped in: another part of the restore failed: files: chunk 3/);
});

test('a party arriving after another failed is refused at once', async () => {
  const gate = new SwapGate(2);
  gate.fail(new Error('database: pg_restore exited 1'));
  await assert.rejects(gate.arrive(), /another part of the restore failed: database/);
});

test('a failure after everyone arrived changes nothing for them', async () => {
  const gate = new SwapGate(1);
  await gate.arrive();
  gate.fail(new Error('late'));
});
