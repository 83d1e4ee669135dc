import type { ComplianceRow, StageComplianceRow } from '../../functions/audit/audit-compliance.ts';
import { ApiError, apiCall } from './api.ts';
import {
  type AuditEvent,
  type CheckpointEvidence,
  keyFingerprint,
  type StreamVerification,
  verifyStreamInBrowser,
} from './audit-verify.ts';
import { loadPages } from './paged.ts';

/** GET /audit/streams/{id}?asOf=, as the API sends it. */
export interface StreamReplay {
  readonly streamId: string;
  readonly streamType: string;
  readonly asOf: string | null;
  readonly version: number;
  readonly folded: boolean;
  readonly state: unknown;
  readonly events: AuditEvent[];
}

export type { ComplianceRow };

/** The fields the console reads of a GET /audit/heads row (functions/audit/audit-log.ts HeadEntry, which needs Node). */
export interface StreamHead {
  readonly streamId: string;
  readonly version: number;
}

/** GET /audit/compliance. */
export interface ComplianceAnswer {
  readonly from: string;
  readonly to: string;
  readonly now: string;
  readonly rows: ComplianceRow[];
  /** Per reporting stage (events/reporting.ts): on time, late, missed, open. */
  readonly stages: StageComplianceRow[];
}

/** The shape of a stream id the audit API accepts (functions/audit/audit-http.ts). */
export { STREAM_ID } from '../../events/audit/types.ts';

const path = (streamId: string) => encodeURIComponent(streamId);

/** A stream as it was at `asOf` (now when null). */
export const loadReplay = (streamId: string, asOf: string | null) =>
  apiCall<StreamReplay>(
    'GET',
    `/audit/streams/${path(streamId)}${asOf ? `?asOf=${encodeURIComponent(asOf)}` : ''}`,
  );

/** Every stream's head the auditor may read (of one stream type's streams, when given), page after page. */
export const loadHeads = async (type?: string): Promise<StreamHead[]> =>
  (
    await loadPages<StreamHead>(
      (cursor) => {
        const params = new URLSearchParams({ ...(type ? { type } : {}), ...(cursor ? { cursor } : {}) });
        return `/audit/heads${params.toString() ? `?${params}` : ''}`;
      },
      Number.POSITIVE_INFINITY,
      (path) => apiCall('GET', path),
    )
  ).items;

/** The outcome of {@link verifyHere}: the verification, and the key the checkpoint was checked under. */
export interface VerifiedHere {
  readonly verification: StreamVerification;
  /** null when no checkpoint covers the stream yet. */
  readonly key: { readonly pinned: boolean; readonly fingerprint: string } | null;
}

/**
 * Verifies a stream here, in the browser: its raw events, all of them, and the latest
 * checkpoint's proof for it, when the checkpoint covers it (404 when it does not, or when
 * there is no checkpoint yet). The signature is checked under `pinnedKey` when the auditor
 * pinned one (from outside the running system), else under the key the API sends.
 */
export async function verifyHere(streamId: string, pinnedKey: string | null): Promise<VerifiedHere> {
  const [replay, served] = await Promise.all([
    loadReplay(streamId, null),
    apiCall<CheckpointEvidence>('GET', `/audit/checkpoints/latest/proof?stream=${path(streamId)}`).catch(
      (error: unknown) => {
        if (error instanceof ApiError && error.problem.status === 404) return undefined;
        throw error;
      },
    ),
  ]);
  const evidence = served && pinnedKey ? { ...served, publicKey: pinnedKey } : served;
  const verification = await verifyStreamInBrowser(streamId, replay.events, evidence);
  const key = evidence
    ? { pinned: Boolean(pinnedKey), fingerprint: await keyFingerprint(evidence.publicKey).catch(() => '?') }
    : null;
  return { verification, key };
}

/** Deadline compliance of the hop runs that started in [from, to]. */
export const loadCompliance = (from: string, to: string) =>
  apiCall<ComplianceAnswer>(
    'GET',
    `/audit/compliance?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`,
  );
