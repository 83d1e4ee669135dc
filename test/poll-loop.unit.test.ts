import { describe, expect, it } from 'vitest';
import { PollLoop } from '../local/poll-loop.ts';

describe('the local pollers’ loop', () => {
  it('pauses longer with each quiet cycle in a row, up to the longest pause, and from the start after work', () => {
    const poll = new PollLoop('test');
    const pauses: number[] = [];
    for (let i = 0; i < 7; i++) {
      poll.quiet(poll.nextCycle());
      pauses.push(poll.quietPause(50, 1000));
    }
    expect(pauses).toEqual([50, 100, 200, 400, 800, 1000, 1000]);
    poll.nextCycle();
    poll.worked();
    poll.quiet(poll.nextCycle());
    expect(poll.quietPause(50, 1000)).toBe(50);
    // A longest pause below the base pause is the base pause: no growth.
    expect(poll.quietPause(50, 10)).toBe(50);
  });

  it('pauses only the base pause while someone waits for idle', async () => {
    const poll = new PollLoop('test');
    for (let i = 0; i < 5; i++) poll.quiet(poll.nextCycle());
    expect(poll.quietPause(50, 1000)).toBe(800);
    // Asked during a cycle: that cycle cannot release it, the next one must come soon.
    const cycle = poll.nextCycle();
    const idle = poll.idle();
    poll.quiet(cycle);
    expect(poll.quietPause(50, 1000)).toBe(50);
    poll.quiet(poll.nextCycle());
    await idle;
    expect(poll.quietPause(50, 1000)).toBe(1000);
  });

  it('ends a pause early when nudged, and when someone starts waiting for idle', async () => {
    const poll = new PollLoop('test');
    let t0 = performance.now();
    const nudged = poll.sleep(60_000);
    poll.nudge();
    await nudged;
    expect(performance.now() - t0).toBeLessThan(5_000);

    t0 = performance.now();
    const paused = poll.sleep(60_000);
    const idle = poll.idle();
    await paused;
    expect(performance.now() - t0).toBeLessThan(5_000);
    // The waiter is released by the next quiet cycle.
    poll.quiet(poll.nextCycle());
    await idle;
  });
});
