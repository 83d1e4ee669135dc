import type { incidentSummary, incidentView } from '../../events/incident/visibility.ts';
import type { ConsoleConfig } from './config.ts';
import { session } from './session.ts';
import { createStore } from './store.ts';

/** GET /incidents/{id}, as the API sends it. */
export type IncidentView = ReturnType<typeof incidentView>;
/** A row of GET /incidents. */
export type IncidentSummary = ReturnType<typeof incidentSummary>;
/** A row of GET /incidents/{id}/events. */
export interface StreamEvent {
  readonly version: number;
  readonly type: string;
  readonly recordedAt: string;
  readonly actor: { kind: string; sub: string; role?: string; org?: string };
  readonly data: Record<string, unknown>;
}
export interface Page<T> {
  readonly items: T[];
  readonly cursor: string | null;
}

/** An RFC 9457 problem as the API answers it. */
export interface Problem {
  readonly status: number;
  readonly title: string;
  readonly detail?: string;
  readonly errors?: { path: string; message: string }[];
}

/** The API refused (4xx/5xx). */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(readonly problem: Problem) {
    super(problem.detail ?? problem.title);
  }
}

/** The API could not be reached at all (offline, connection dropped). */
export class OfflineError extends Error {
  override readonly name = 'OfflineError';
}

/** False while the last call could not reach the API: the shell shows a banner. */
export const online = createStore(true);
/** Set once at start, from config.json. */
export const configStore = createStore<ConsoleConfig | null>(null);

/** Options of {@link apiCall}: a JSON `body`, or a file sent as it is (`raw`, minutes). */
export interface CallOptions {
  body?: unknown;
  raw?: Blob;
  idempotencyKey?: string;
  accept?: string;
}

/** Sends a request as the signed-in person; a refusal becomes an ApiError (a 401 ends the session). */
async function send(method: 'GET' | 'POST' | 'PUT', path: string, options: CallOptions): Promise<Response> {
  const config = configStore.get();
  const current = session.get();
  const contentType =
    options.raw !== undefined
      ? options.raw.type || 'application/octet-stream'
      : options.body === undefined
        ? undefined
        : 'application/json';
  let res: Response;
  try {
    res = await fetch(`${config?.apiUrl ?? ''}${path}`, {
      method,
      headers: {
        accept: options.accept ?? 'application/json',
        ...(current ? { authorization: `Bearer ${current.token}` } : {}),
        ...(contentType ? { 'content-type': contentType } : {}),
        ...(options.idempotencyKey ? { 'idempotency-key': options.idempotencyKey } : {}),
      },
      ...(options.raw !== undefined
        ? { body: options.raw }
        : options.body === undefined
          ? {}
          : { body: JSON.stringify(options.body) }),
    });
  } catch (error) {
    online.set(false);
    throw new OfflineError(String(error));
  }
  online.set(true);
  if (!res.ok) {
    if (res.status === 401) session.set(null);
    const text = await res.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    // A gateway that answers without problem+json (502 from a proxy) still becomes a Problem.
    const problem =
      json && typeof json === 'object' && 'status' in json
        ? (json as Problem)
        : { status: res.status, title: res.statusText || 'Error' };
    throw new ApiError(problem);
  }
  return res;
}

/** Calls the API as the signed-in person; a 401 ends the session. */
export async function apiCall<T>(
  method: 'GET' | 'POST' | 'PUT',
  path: string,
  options: CallOptions = {},
): Promise<T> {
  const res = await send(method, path, options);
  const text = await res.text();
  // Another `accept` (CSV, HTML) gets the text as it is.
  const isJson = (res.headers.get('content-type') ?? 'application/json').includes('json');
  return (text && isJson ? JSON.parse(text) : text || undefined) as T;
}

/** A GET whose answer is a file (XLSX, PDF, minutes): its bytes and type. */
export async function apiBlob(path: string, accept: string): Promise<Blob> {
  return (await send('GET', path, { accept })).blob();
}

/** Every incident the caller may see (all pages), newest first. */
export async function listIncidents(): Promise<IncidentSummary[]> {
  const all: IncidentSummary[] = [];
  let cursor: string | null = null;
  do {
    const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
    const page: Page<IncidentSummary> = await apiCall('GET', `/incidents?limit=200${query}`);
    all.push(...page.items);
    cursor = page.cursor;
  } while (cursor);
  return all;
}

/** A fresh Idempotency-Key, so that a retried command is recorded once. */
export const newIdempotencyKey = () => `console-${crypto.randomUUID()}`;
