import type { Role } from '../../events/actor.ts';
import { NotFoundError, ValidationError } from '../../events/errors.ts';
import { parseFiscalYear } from '../../events/report/fiscal-year.ts';
import { isSectorId, type SectorId } from '../../events/sector/catalog.ts';
import { canSeeSector } from '../../events/sector/visibility.ts';
import type { HttpRequest } from '../http/http.ts';

/** Who reads a sector's report: its secretariat, its ministry, NISC and its auditors. */
export const REPORT_READERS: readonly Role[] = ['secretariat', 'ministry', 'nisc', 'auditor'];

/**
 * `{sector}` and `{fy}` of a report route: a sector the caller does not see (or that does not
 * exist) is 404, as an unknown one; a year that is not one is 400.
 */
export function reportPathParams(request: HttpRequest<unknown>): { sector: SectorId; fy: number } {
  const sector = request.params.sector;
  if (!isSectorId(sector) || !canSeeSector(request.actor, sector)) throw new NotFoundError('no such report');
  const fy = parseFiscalYear(request.params.fy);
  if (fy === null)
    throw new ValidationError('fy must be a fiscal year such as 2015', [
      { path: 'fy', message: 'a four-digit year from 2000 to 2100' },
    ]);
  return { sector, fy };
}
