import { describe, expect, it } from 'vitest';
import { forEachLimit, mapLimit } from '../functions/runtime/parallel.ts';

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('mapLimit and forEachLimit (the projection, the deliverer and the benches share them)', () => {
  it('keeps at most `limit` tasks in flight, starts them in order and gives results in order', async () => {
    let running = 0;
    let most = 0;
    const started: number[] = [];
    const results = await mapLimit([30, 5, 20, 1, 10, 2], 3, async (ms, i) => {
      started.push(i);
      running++;
      most = Math.max(most, running);
      await tick(ms);
      running--;
      return ms * 2;
    });
    expect(results).toEqual([60, 10, 40, 2, 20, 4]);
    expect(started).toEqual([0, 1, 2, 3, 4, 5]);
    expect(most).toBe(3);
  });

  it('rejects at the first failure; the tasks already started still run to their end', async () => {
    const finished: number[] = [];
    await expect(
      forEachLimit([0, 1, 2], 3, async (i) => {
        await tick(i * 5);
        if (i === 0) throw new Error('the first');
        finished.push(i);
      }),
    ).rejects.toThrow('the first');
    await tick(20);
    expect(finished).toEqual([1, 2]);
  });

  it('runs nothing for no items', async () => {
    expect(await mapLimit([], 4, async () => 1)).toEqual([]);
  });
});
