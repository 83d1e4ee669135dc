import { ApiError, OfflineError } from './api.ts';
import type { Translate } from './i18n/index.ts';

/** What to tell a person about a failed call, in their language. */
export function describeError(error: unknown, t: Translate): string {
  if (error instanceof OfflineError) return t('app.offline');
  if (error instanceof ApiError) {
    const { status, detail, title } = error.problem;
    if (status === 403) return t('error.forbidden');
    if (status === 404) return t('error.notFound');
    if (status === 409) return t('error.conflict', { detail: detail ?? title });
    return t('app.error', { detail: detail ?? title });
  }
  return t('app.error', { detail: String(error) });
}
