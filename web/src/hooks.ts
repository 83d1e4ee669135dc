import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { configStore } from './api.ts';

/** The clock, re-read every `ms`: time left and overdue marks change without a reload. */
export function useNow(ms = 1000): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(timer);
  }, [ms]);
  return now;
}

/** Result of {@link usePoll}. */
export interface Polled<T> {
  readonly data: T | undefined;
  readonly error: unknown;
  readonly loadedAt: number | undefined;
  reload(): Promise<void>;
}

/**
 * Loads now and again every config.pollSeconds while the tab is visible (and at once when it becomes
 * visible again), so receipts and escalations appear without a manual reload. A failed re-read keeps the
 * last data on screen. `live` false loads once (a closed drill window no longer changes).
 */
export function usePoll<T>(load: () => Promise<T>, deps: readonly unknown[], live = true): Polled<T> {
  const [state, setState] = useState<{ data: T | undefined; error: unknown; loadedAt: number | undefined }>({
    data: undefined,
    error: undefined,
    loadedAt: undefined,
  });
  const generation = useRef(0);
  const reload = useCallback(async () => {
    const mine = ++generation.current;
    try {
      const data = await load();
      if (mine === generation.current) setState({ data, error: undefined, loadedAt: Date.now() });
    } catch (error) {
      if (mine === generation.current) setState((s) => ({ ...s, error }));
    }
  }, deps);
  useEffect(() => {
    setState({ data: undefined, error: undefined, loadedAt: undefined });
    void reload();
    return () => {
      generation.current++;
    };
  }, [reload]);
  useEffect(() => {
    if (!live) return;
    const seconds = configStore.get()?.pollSeconds ?? 10;
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible') void reload();
    }, seconds * 1000);
    const onVisible = () => {
      if (document.visibilityState === 'visible') void reload();
    };
    document.addEventListener('visibilitychange', onVisible);
    return () => {
      clearInterval(timer);
      document.removeEventListener('visibilitychange', onVisible);
    };
  }, [reload, live]);
  return { ...state, reload };
}
