import { describe, expect, it } from 'vitest';
import { loadedOnce } from '../functions/runtime/loaded-once.ts';

describe('loadedOnce', () => {
  it('loads once for every caller, those waiting at once included, and keeps no failure', async () => {
    let loads = 0;
    const value = loadedOnce(async () => {
      loads++;
      if (loads === 1) throw new Error('unreachable for now');
      return `loaded ${loads}`;
    });
    expect(loads).toBe(0);
    await expect(Promise.all([value(), value()])).rejects.toThrow('unreachable for now');
    expect(loads).toBe(1);
    expect(await Promise.all([value(), value()])).toEqual(['loaded 2', 'loaded 2']);
    expect(await value()).toBe('loaded 2');
    expect(loads).toBe(2);
  });
});
