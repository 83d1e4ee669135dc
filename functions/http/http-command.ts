import type { Actor } from '../../events/actor.ts';
import { type Aggregate, runCommand, unwrittenStream } from '../store/command-runner.ts';
import { once, requestHash } from '../store/idempotency.ts';
import { store } from '../store/store.ts';
import type { HttpRequest, HttpResponse } from './http.ts';

/** How a command over HTTP is run and answered: status, body, where the stream can be read, whether it is new. */
export interface CommandAnswer<S> {
  readonly status: number;
  readonly body: (state: S, version: number) => unknown;
  readonly location?: (state: S) => string;
  /** The stream's id was minted for this request: nothing to read before deciding (unwrittenStream). */
  readonly newStream?: boolean;
}

/**
 * Runs a person's command on a stream over HTTP: idempotent per Idempotency-Key (the
 * record is written with the events), and decided again on the reloaded state when
 * another append landed first (deliveries and workflow records land on streams all the
 * time; a competing decision makes the re-decision itself fail with 409).
 */
export async function httpCommand<
  S,
  E extends { type: string; data: unknown },
  C,
  Ctx extends { now: string; actor: Actor },
>(
  request: HttpRequest<unknown>,
  aggregate: Aggregate<S | null, E, C, Ctx>,
  id: string,
  command: C,
  ctx: Ctx,
  answer: CommandAnswer<S>,
): Promise<HttpResponse> {
  const route = `${request.event.requestContext.http.method} ${request.event.rawPath}`;
  const respond = ({ state, version }: { state: S | null; version: number }) => {
    if (state === null) throw new Error(`a command left no ${aggregate.streamType} behind`);
    const location = answer.location?.(state);
    return {
      statusCode: answer.status,
      body: answer.body(state, version),
      ...(location ? { location } : {}),
    };
  };
  const response = await once(
    store,
    { scope: request.actor.sub, key: request.idempotencyKey, hash: requestHash(route, request.body) },
    async (idempotency) => {
      const result = await runCommand(store, aggregate, id, command, ctx, {
        retryOnConflict: true,
        ...(answer.newStream ? { loaded: unwrittenStream(aggregate) } : {}),
        ...(idempotency ? { idempotency: { ...idempotency, respond } } : {}),
      });
      return respond(result);
    },
  );
  return {
    status: response.statusCode,
    body: response.body,
    headers: {
      ...(response.location ? { location: response.location } : {}),
      ...(response.replayed ? { 'idempotent-replayed': 'true' } : {}),
    },
  };
}
