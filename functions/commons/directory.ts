import { getStringFromEnv } from '@aws-lambda-powertools/commons/utils/env';
import demoDirectory from '../../config/directory.json' with { type: 'json' };
import { e164 } from '../../events/incident/report.ts';
import * as z from '../../events/zod.ts';

const contact = z.strictObject({
  id: z.string().check(z.minLength(1)),
  name: z.string().check(z.minLength(1)),
  email: z.optional(z.email()),
  phone: z.optional(e164),
  webhook: z.optional(z.url({ protocol: /^https$/ })),
  lang: z._default(z.enum(['ja', 'en']), 'ja'),
  escalation: z._default(z.boolean(), false),
});

const directorySchema = z.strictObject({
  organizations: z.record(
    z.string(),
    z.strictObject({
      kind: z.enum(['member', 'secretariat', 'ministry', 'nisc']),
      name: z.strictObject({ ja: z.string(), en: z.string() }),
      contacts: z.array(contact),
    }),
  ),
});

export type Directory = z.output<typeof directorySchema>;
export type Contact = z.output<typeof contact>;

/** Parses a directory document; throws with the offending path on a bad address. */
export const parseDirectory = (json: unknown): Directory => directorySchema.parse(json);

/**
 * The organisations and their contacts: CEPTOAR_DIRECTORY (JSON) when set, else the demo
 * directory in config/directory.json. Read once per container.
 */
export const directory: Directory = parseDirectory(
  JSON.parse(getStringFromEnv({ key: 'CEPTOAR_DIRECTORY', defaultValue: '' }) || 'null') ?? demoDirectory,
);

/** The organisation of a kind (secretariat, ministry, nisc): the first one the directory lists. */
export function orgOfKind(dir: Directory, kind: 'secretariat' | 'ministry' | 'nisc') {
  const entry = Object.entries(dir.organizations).find(([, org]) => org.kind === kind);
  return entry ? { id: entry[0], ...entry[1] } : undefined;
}
