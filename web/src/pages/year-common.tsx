import { fiscalYearOf } from '../../../events/report/fiscal-year.ts';
import { useT } from '../i18n/lang.ts';

/** The fiscal year (年度, April to March in Japan time) of today. */
export const currentFiscalYear = (): number => fiscalYearOf(new Date().toISOString());

/** A fiscal-year picker: this year and the five before it (a report is written after its year ends). */
export function FiscalYearSelect(props: { id: string; value: number; onChange: (fy: number) => void }) {
  const t = useT();
  const now = currentFiscalYear();
  const years = Array.from({ length: 6 }, (_v, i) => now - i);
  if (!years.includes(props.value)) years.push(props.value);
  return (
    <div class="field inline-field">
      <label for={props.id}>{t('year.fiscalYear')}</label>
      <select
        id={props.id}
        value={String(props.value)}
        onChange={(e) => props.onChange(Number(e.currentTarget.value))}
      >
        {years.map((y) => (
          <option key={y} value={String(y)}>
            {t('year.fy', { fy: y })}
          </option>
        ))}
      </select>
    </div>
  );
}
