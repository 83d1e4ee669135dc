import type { ReportFields } from './report-form.ts';

/** A report being written: kept on this device until the API has recorded it. */
export interface ReportDraft {
  readonly fields: ReportFields;
  /** Sent with every attempt: a retry after a dropped connection is recorded once. */
  readonly idempotencyKey: string;
  readonly savedAt: string;
}

const key = (sub: string) => `ceptoar.draft.report.${sub}`;

/** The saved draft of this person, if any. */
export function loadDraft(sub: string): ReportDraft | null {
  try {
    const draft = JSON.parse(localStorage.getItem(key(sub)) ?? 'null') as ReportDraft | null;
    return draft && typeof draft.idempotencyKey === 'string' && draft.fields ? draft : null;
  } catch {
    return null;
  }
}

/** Saves the draft (every change: a dropped connection or a closed tab loses nothing). */
export function saveDraft(sub: string, draft: ReportDraft) {
  localStorage.setItem(key(sub), JSON.stringify(draft));
}

export function clearDraft(sub: string) {
  localStorage.removeItem(key(sub));
}
