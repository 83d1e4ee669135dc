import type { ComponentType } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { Notice } from './components/ui.tsx';
import { useT } from './i18n/lang.ts';

/**
 * A page in its own chunk, fetched the first time it is opened: a member's first visit does not
 * download the auditor's or the secretariat's pages. The incident relay's pages (reporting, the
 * queue, receipts) stay in the main chunk, so they keep working when the connection drops. A
 * chunk that fails to load (offline) is tried again the next time the page is opened.
 */
export function lazyPage<P extends object>(load: () => Promise<ComponentType<P>>): ComponentType<P> {
  let loaded: ComponentType<P> | undefined;
  let pending: Promise<ComponentType<P>> | undefined;
  const fetchOnce = () => {
    pending ??= load().then(
      (component) => {
        loaded = component;
        return component;
      },
      (error: unknown) => {
        pending = undefined;
        throw error;
      },
    );
    return pending;
  };
  return function LazyPage(props: P) {
    const t = useT();
    const [component, setComponent] = useState<{ C: ComponentType<P> } | undefined>(
      loaded ? { C: loaded } : undefined,
    );
    const [failed, setFailed] = useState(false);
    useEffect(() => {
      if (component) return;
      let live = true;
      fetchOnce().then(
        (C) => live && setComponent({ C }),
        () => live && setFailed(true),
      );
      return () => {
        live = false;
      };
    }, []);
    if (component) return <component.C {...props} />;
    if (failed) return <Notice kind="error">{t('app.pageLoadFailed')}</Notice>;
    return <p>{t('app.loading')}</p>;
  };
}
