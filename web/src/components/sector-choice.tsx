import { lang, useT } from '../i18n/lang.ts';
import type { SectorRow } from '../sectors.ts';
import { useStore } from '../store.ts';
import { describedBy, HintAndError } from './form.tsx';

/**
 * The sector the choice shows selected until the person picks one: chemical when the caller sees it (the
 * API's own default for a caller of several sectors), else the first.
 */
export const defaultSector = (rows: readonly SectorRow[]): string =>
  rows.find((s) => s.id === 'chemical')?.id ?? rows[0]?.id ?? '';

/** Where an advisory or a drill goes: one sector, chosen sectors, or every sector. */
export type SectorMode = 'one' | 'several' | 'all';

/**
 * The sectors fieldset of the advisory and drill forms, for a caller who sees several sectors (NISC, a
 * ministry): one sector (a select), chosen sectors (checkboxes) or every sector. Several or all fork the
 * advisory or drill into one chain per sector. `id` is the fieldset's id (its hint and error hang off it);
 * `sectorId` the select's.
 */
export function SectorChoice(props: {
  id: string;
  sectorId: string;
  /** The radios' and checkboxes' names, unique on the page. */
  name: string;
  rows: readonly SectorRow[];
  mode: SectorMode;
  onMode: (mode: SectorMode) => void;
  sector: string;
  onSector: (sector: string) => void;
  sectors: readonly string[];
  onSectors: (sectors: string[]) => void;
  error: string | undefined;
  sectorError?: string | undefined;
}) {
  const t = useT();
  const current = useStore(lang);
  return (
    <fieldset id={props.id} tabIndex={-1} {...describedBy(props.id, props.error, true)}>
      <legend>
        {t('issue.field.sectors')} <span class="required">({t('field.required')})</span>
      </legend>
      <HintAndError id={props.id} hint={t('issue.sectors.hint')} error={props.error} />
      {(['one', 'several', 'all'] as const).map((mode) => (
        <label key={mode} class="choice">
          <input
            type="radio"
            name={`${props.name}Mode`}
            value={mode}
            checked={props.mode === mode}
            onChange={() => props.onMode(mode)}
          />
          {t(`issue.sectors.${mode}`)}
        </label>
      ))}
      {props.mode === 'one' && (
        <div class="field">
          <label for={props.sectorId}>{t('issue.field.sector')}</label>
          <select
            id={props.sectorId}
            value={props.sector}
            onChange={(e) => props.onSector(e.currentTarget.value)}
            {...describedBy(props.sectorId, props.sectorError)}
          >
            {props.rows.map((s) => (
              <option key={s.id} value={s.id}>
                {s.names[current]}
              </option>
            ))}
          </select>
        </div>
      )}
      {props.mode === 'several' && (
        <div class="audience-orgs">
          {props.rows.map((s) => (
            <label key={s.id} class="choice">
              <input
                type="checkbox"
                name={props.name}
                value={s.id}
                checked={props.sectors.includes(s.id)}
                onChange={(e) =>
                  props.onSectors(
                    e.currentTarget.checked
                      ? [...props.sectors, s.id]
                      : props.sectors.filter((x) => x !== s.id),
                  )
                }
              />
              {s.names[current]}
            </label>
          ))}
        </div>
      )}
    </fieldset>
  );
}
