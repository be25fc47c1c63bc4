// Unit tests of the limiter that bounds the operator's concurrent lists: the bound, arrival order,
// slots freed on failure, and the limit's validation.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Limiter } from '../../src/runtime/limiter.js';

/** A task that runs until the test settles it. */
function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void; reject: (e: Error) => void } {
  let resolve!: (v: T) => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

/** Lets every queued promise callback run. */
const settle = () => new Promise<void>((r) => setImmediate(r));

describe('Limiter', () => {
  test('runs at most `limit` tasks at once and starts the waiting ones in arrival order', async () => {
    const limiter = new Limiter(2);
    const tasks = Array.from({ length: 5 }, () => deferred<number>());
    const started: number[] = [];
    const results = tasks.map((t, i) =>
      limiter.run(() => {
        started.push(i);
        return t.promise;
      }),
    );
    await settle();
    assert.deepEqual(started, [0, 1]);
    assert.deepEqual(limiter.size, { active: 2, waiting: 3 });
    tasks[1]!.resolve(1);
    await settle();
    assert.deepEqual(started, [0, 1, 2]);
    tasks[0]!.resolve(0);
    tasks[2]!.resolve(2);
    await settle();
    assert.deepEqual(started, [0, 1, 2, 3, 4]);
    assert.deepEqual(limiter.size, { active: 2, waiting: 0 });
    tasks[3]!.resolve(3);
    tasks[4]!.resolve(4);
    assert.deepEqual(await Promise.all(results), [0, 1, 2, 3, 4]);
    assert.deepEqual(limiter.size, { active: 0, waiting: 0 });
  });

  test('a task that fails frees its slot and its caller gets the error', async () => {
    const limiter = new Limiter(1);
    const first = deferred<string>();
    const failed = limiter.run(() => first.promise);
    let secondRan = false;
    const second = limiter.run(async () => {
      secondRan = true;
      return 'second';
    });
    await settle();
    assert.equal(secondRan, false);
    first.reject(new Error('list failed'));
    await assert.rejects(failed, /list failed/);
    assert.equal(await second, 'second');
    assert.deepEqual(limiter.size, { active: 0, waiting: 0 });
  });

  test('a task that throws before returning a promise frees its slot too', async () => {
    const limiter = new Limiter(1);
    await assert.rejects(
      limiter.run(() => {
        throw new Error('bad request');
      }),
      /bad request/,
    );
    assert.equal(await limiter.run(async () => 'next'), 'next');
  });

  test('a task arriving while a slot is handed over does not overtake the waiting one', async () => {
    const limiter = new Limiter(1);
    const first = deferred<void>();
    const order: string[] = [];
    const a = limiter.run(() => first.promise);
    const b = limiter.run(async () => void order.push('waiting'));
    first.resolve();
    const c = limiter.run(async () => void order.push('late'));
    await Promise.all([a, b, c]);
    assert.deepEqual(order, ['waiting', 'late']);
  });

  test('refuses a limit that is not a positive integer', () => {
    for (const bad of [0, -1, 1.5, Number.NaN]) assert.throws(() => new Limiter(bad), /positive integer/);
  });
});
