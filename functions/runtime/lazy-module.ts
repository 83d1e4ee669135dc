/**
 * Modules a function loads on first use, shipped as a file of their own beside its bundle.
 *
 * A dynamic `import('./x.ts')` in a function stays in its one esbuild bundle (lazily initialised, but
 * parsed at every cold start). A module named here is instead built by the bundler (infra/bundling.ts)
 * as `<function>/<name>.mjs` next to `index.mjs`, for each function whose manifest entry lists it
 * (`lazy`), and {@link importLazy} loads that file when the function first needs it. From source (tsx,
 * vitest, the local stack) the module is imported as itself. The import's specifier is computed, so
 * esbuild does not follow it into the function's bundle.
 */
export const LAZY_MODULES = {
  /** exceljs and the results workbook: only an XLSX export of survey results needs them. */
  'survey-xlsx': 'surveys/survey-xlsx',
  /** @sparticuz/chromium's inflater: only a PDF printed in AWS needs it (reports/pdf.ts). */
  'pdf-chromium': 'reports/lambda-chromium',
  /** End User Messaging's client and the call sender: only a phone call needs them (notify/voice-sender.ts). */
  'voice-sender': 'notify/voice-sender',
} as const;

export type LazyModuleName = keyof typeof LAZY_MODULES;

/** This module's own URL: functions/runtime/lazy-module.ts from source, the function's index.mjs in a bundle. */
const here = import.meta.url;

/** The URL a lazy module is imported from: beside the bundle, or its source file. */
export function lazyModuleUrl(name: LazyModuleName, base: string = here): string {
  return base.endsWith('.ts')
    ? new URL(`../${LAZY_MODULES[name]}.ts`, base).href
    : new URL(`./${name}.mjs`, base).href;
}

/** Loads a lazy module (once: the runtime caches it); `M` is its type, `typeof import('…')`. */
export async function importLazy<M>(name: LazyModuleName): Promise<M> {
  return (await import(/* @vite-ignore */ lazyModuleUrl(name))) as M;
}
