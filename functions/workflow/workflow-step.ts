import * as z from '../../events/zod.ts';

/**
 * The payloads a Plan → Wait → Escalate state machine sends its step function (see
 * infra/relay-workflow.ts): one schema for every such workflow, keyed by the id it carries
 * (`incidentId`, `advisoryId`) and the waits it knows.
 */
export function workflowStepSchema<K extends string, H extends readonly [string, ...string[]]>(
  idKey: K,
  waits: H,
) {
  const id = { [idKey]: z.uuid() } as Record<K, ReturnType<typeof z.uuid>>;
  const attempt = z.int().check(z.minimum(0));
  return z.discriminatedUnion('action', [
    z.object({ action: z.literal('plan'), ...id }),
    z.object({
      action: z.literal('wait'),
      ...id,
      hop: z.enum(waits),
      attempt,
      dueAt: z.iso.datetime({ offset: true }),
      timeoutSeconds: z.int().check(z.minimum(1)),
      taskToken: z.string().check(z.minLength(1)),
    }),
    z.object({ action: z.literal('escalate'), ...id, hop: z.enum(waits), attempt }),
  ]);
}
