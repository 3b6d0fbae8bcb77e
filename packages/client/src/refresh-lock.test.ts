import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InProcessRefreshLock } from './refresh-lock.ts';

describe('InProcessRefreshLock', () => {
  it('lets one holder at a time in, in arrival order', async () => {
    const lock = new InProcessRefreshLock();
    const events: string[] = [];
    await Promise.all(
      [1, 2, 3].map(async (n) => {
        const release = await lock.acquire('k');
        events.push(`in ${n}`);
        await Promise.resolve();
        await Promise.resolve();
        events.push(`out ${n}`);
        release();
      }),
    );
    assert.deepEqual(events, ['in 1', 'out 1', 'in 2', 'out 2', 'in 3', 'out 3']);
  });

  it('does not serialize different keys', async () => {
    const lock = new InProcessRefreshLock();
    const releaseA = await lock.acquire('a');
    let acquiredB = false;
    const b = lock.acquire('b').then((release) => {
      acquiredB = true;
      return release;
    });
    for (let turn = 0; turn < 5; turn++) await Promise.resolve();
    assert.equal(acquiredB, true, 'b was granted while a is held');
    releaseA();
    (await b)();
  });

  it('ignores a second release of the same hold', async () => {
    const lock = new InProcessRefreshLock();
    const first = await lock.acquire('k');
    const second = lock.acquire('k');
    first();
    const releaseSecond = await second;
    first();
    let thirdIn = false;
    const third = lock.acquire('k').then((release) => {
      thirdIn = true;
      release();
    });
    await Promise.resolve();
    await Promise.resolve();
    assert.equal(thirdIn, false, 'the repeated release did not let a third holder in');
    releaseSecond();
    await third;
    assert.equal(thirdIn, true);
  });
});
