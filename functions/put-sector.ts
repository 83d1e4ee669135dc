import { NotFoundError, ValidationError } from '../events/errors.ts';
import { builtInPresetIds } from '../events/reporting.ts';
import { isSectorId } from '../events/sector/catalog.ts';
import { sectorEntrySchema, sectorView } from '../events/sector/sector.ts';
import { sectors } from './aggregates/sectors.ts';
import { httpHandler } from './http/http.ts';
import { reportingPreset } from './runtime/policy-config.ts';
import { runCommand } from './store/command-runner.ts';
import { store } from './store/store.ts';

/**
 * PUT /sectors/{id}: NISC changes a sector's entry — its names, secretariat, member count, its own
 * relay policy and its reporting preset. New incidents of the sector run under them; incidents
 * already reported keep the clocks they recorded. Each change is an event; an unchanged entry
 * writes nothing.
 */
export const handler = httpHandler({ allow: ['nisc'], body: sectorEntrySchema() }, async (request) => {
  const id = request.params.id ?? '';
  if (!isSectorId(id)) throw new NotFoundError('no such sector');
  const known = new Set<string>([...builtInPresetIds, reportingPreset.id]);
  if (!known.has(request.body.preset)) {
    throw new ValidationError('the sector entry is invalid', [
      { path: 'preset', message: `must be one of ${[...known].join(', ')}` },
    ]);
  }
  const result = await runCommand(
    store,
    sectors,
    id,
    { type: 'UpdateSector', data: { sector: id, entry: request.body } },
    { now: new Date().toISOString(), actor: request.actor },
    { retryOnConflict: true },
  );
  if (result.state === null) throw new NotFoundError('no such sector');
  return {
    status: 200,
    body: { ...sectorView(result.state), version: result.version, changed: result.events.length > 0 },
  };
});
