/**
 * The lifecycle shared by the local pollers (DynamoDB Streams, SQS): cycles, an interruptible
 * sleep that grows while the poller finds nothing ({@link quietPause}) and that {@link nudge} ends,
 * `idle()` waiters released by the first quiet cycle that started after they asked,
 * and an idempotent `stop()` that lets the cycle in progress finish.
 */
/** How long a local poller pauses when it finds nothing: shared by the stream and queue pollers. */
export interface PollPauseOptions {
  /** Pause after a poll that found nothing; default 50 ms. */
  readonly pollIntervalMs?: number;
  /**
   * Longest pause while polls keep finding nothing (the pause doubles from pollIntervalMs); default
   * pollIntervalMs, i.e. no growth. The poller's `nudge()` ends a pause.
   */
  readonly idlePollMaxMs?: number;
}

/** The pauses of `options`, defaults applied: what {@link PollLoop.quietPause} takes. */
export function pollPauses(options: PollPauseOptions): { pollIntervalMs: number; idlePollMaxMs: number } {
  const pollIntervalMs = options.pollIntervalMs ?? 50;
  return { pollIntervalMs, idlePollMaxMs: options.idlePollMaxMs ?? pollIntervalMs };
}

export class PollLoop {
  /** True once stop() was called: the loop ends after its current cycle. */
  stopping = false;
  private cycle = 0;
  private done = 0;
  private wake: (() => void) | undefined;
  /** Quiet cycles in a row since the last one with work. */
  private quietStreak = 0;
  private readonly waiters: { after: number; resolve: () => void; reject: (error: Error) => void }[] = [];
  private stopped: Promise<void> | undefined;

  /** @param what names the poller in the error idle() waiters get on stop. */
  constructor(private readonly what: string) {}

  /** Starts a cycle; returns its number for {@link quiet}. */
  nextCycle(): number {
    this.cycle += 1;
    return this.cycle;
  }

  /** True while someone waits for idle (pollers refresh their view of the world then). */
  get awaited(): boolean {
    return this.waiters.length > 0;
  }

  /** The cycle handed work to its handler and the handler returned: counted for {@link workDone}. */
  worked(): void {
    this.done += 1;
    this.quietStreak = 0;
  }

  /** How many cycles have handled work so far: unchanged across an idle() means nothing was handled meanwhile. */
  get workDone(): number {
    return this.done;
  }

  /** The cycle found nothing to do: releases the waiters that asked before it started. */
  quiet(thisCycle: number): void {
    this.quietStreak += 1;
    for (const waiter of this.waiters.filter((w) => w.after < thisCycle)) {
      this.waiters.splice(this.waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
  }

  /**
   * The pause after a quiet cycle: `baseMs` after the first, doubling with each further quiet cycle in a
   * row, up to `maxMs` (a poller with nothing to do stops asking 20 times a second; see LocalStack's
   * nudges, which end the pause as soon as something was written). `baseMs` while an idle() waiter waits.
   */
  quietPause(baseMs: number, maxMs: number): number {
    // Someone waits for idle (it asked during this cycle, so the next one must run): no long pause.
    if (this.waiters.length > 0) return baseMs;
    return Math.min(baseMs * 2 ** Math.max(this.quietStreak - 1, 0), Math.max(maxMs, baseMs));
  }

  /** Ends the current pause, if any: something may have arrived (the loop polls at once). */
  nudge(): void {
    this.wake?.();
  }

  /** Waits `ms`, or less when stop() or nudge() wakes it. */
  sleep(ms: number): Promise<void> {
    return new Promise<void>((resolveSleep) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolveSleep();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
    });
  }

  /** Resolves after a whole quiet cycle that started after this call; rejects on stop(). */
  idle(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (this.stopping) {
        reject(new Error(`${this.what} stopped`));
        return;
      }
      this.waiters.push({ after: this.cycle, resolve, reject });
      // A waiter should not wait out a long quiet pause.
      this.wake?.();
    });
  }

  /** Ends the loop after its current cycle (awaiting `running`), then `cleanup`. Idempotent. */
  stop(running: Promise<void>, cleanup: () => void = () => undefined): Promise<void> {
    this.stopped ??= (async () => {
      this.stopping = true;
      this.wake?.();
      await running;
      for (const waiter of this.waiters.splice(0)) waiter.reject(new Error(`${this.what} stopped`));
      cleanup();
    })();
    return this.stopped;
  }
}
