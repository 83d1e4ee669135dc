import { useEffect, useRef, useState } from 'preact/hooks';
import { configStore } from '../api.ts';
import { Notice, PageHeading } from '../components/ui.tsx';
import { useT } from '../i18n/lang.ts';
import { useStore } from '../store.ts';

/**
 * The API reference: the API's own OpenAPI document (GET /openapi.json, no token) rendered by
 * Scalar's API reference. This page is its own chunk and Scalar a further one, loaded only here,
 * from the console's own files: no font, script or proxy from elsewhere (default fonts, the
 * request client, telemetry, MCP and the "Ask AI" agent are off).
 */
export function ApiReferencePage() {
  const t = useT();
  const config = useStore(configStore);
  const target = useRef<HTMLDivElement>(null);
  const [state, setState] = useState<'loading' | 'ready' | 'failed'>('loading');
  useEffect(() => {
    if (!config) return;
    let live = true;
    let instance: { destroy: () => void } | undefined;
    Promise.all([
      import('scalar-api-reference'),
      fetch(`${config.apiUrl}/openapi.json`, { headers: { accept: 'application/json' } }).then((res) => {
        if (!res.ok) throw new Error(`GET /openapi.json: ${res.status}`);
        return res.json() as Promise<Record<string, unknown>>;
      }),
    ]).then(
      ([{ createApiReference }, content]) => {
        if (!live || !target.current) return;
        instance = createApiReference(target.current, {
          content: { ...content, servers: [{ url: config.apiUrl || window.location.origin }] },
          withDefaultFonts: false,
          telemetry: false,
          hideClientButton: true,
          hideTestRequestButton: true,
          hideDarkModeToggle: true,
          showDeveloperTools: 'never',
          mcp: { disabled: true },
          agent: { disabled: true },
          // One column: the console's page width, not the whole window, is what it has.
          layout: 'classic',
          documentDownloadType: 'json',
        });
        setState('ready');
      },
      () => live && setState('failed'),
    );
    return () => {
      live = false;
      instance?.destroy();
    };
  }, [config]);
  return (
    <section class="reference-page">
      <PageHeading>{t('apiReference.title')}</PageHeading>
      <p>
        {t('apiReference.intro')} <a href={`${config?.apiUrl ?? ''}/openapi.json`}>openapi.json</a>
      </p>
      {state === 'loading' && <p>{t('app.loading')}</p>}
      {state === 'failed' && <Notice kind="error">{t('app.pageLoadFailed')}</Notice>}
      <div ref={target} data-testid="api-reference" />
    </section>
  );
}
