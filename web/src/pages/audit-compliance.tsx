import { useEffect, useState } from 'preact/hooks';
import { type ComplianceAnswer, loadCompliance } from '../audit-api.ts';
import { fiscalYearToDate, jstDay } from '../audit-time.ts';
import { ComplianceChart } from '../components/compliance-chart.tsx';
import { FormField, fieldAria } from '../components/form.tsx';
import { Link, Notice, PageHeading } from '../components/ui.tsx';
import { describeError } from '../errors.ts';
import { percent } from '../format.ts';
import { formatDuration } from '../i18n/index.ts';
import { useT } from '../i18n/lang.ts';
import { AuditNav, useJst } from './audit.tsx';

type Period = { from: string; to: string };

/** Deadline compliance for a period of JST days (this fiscal year so far, at first): a table and its chart. */
export function AuditCompliancePage() {
  const t = useT();
  const jst = useJst();
  const [fields, setFields] = useState<Period>(() => fiscalYearToDate(Date.now()));
  const [period, setPeriod] = useState<Period>(fields);
  const [invalid, setInvalid] = useState<'from' | 'to' | null>(null);
  const messageOf = (name: 'from' | 'to') =>
    invalid !== name ? undefined : name === 'from' ? t('error.datetime') : t('audit.compliance.toBeforeFrom');
  const [state, setState] = useState<{ data?: ComplianceAnswer; error?: unknown; loading: boolean }>({
    loading: true,
  });
  useEffect(() => {
    let current = true;
    const from = jstDay(period.from);
    const to = jstDay(period.to);
    if (!from || !to) return;
    setState((s) => ({ ...s, loading: true }));
    loadCompliance(from.start, to.end).then(
      (data) => current && setState({ data, loading: false }),
      (error: unknown) => current && setState({ error, loading: false }),
    );
    return () => {
      current = false;
    };
  }, [period]);
  const submit = (e: Event) => {
    e.preventDefault();
    const from = jstDay(fields.from);
    const to = jstDay(fields.to);
    const wrong = !from ? 'from' : !to || to.end < from.start ? 'to' : null;
    setInvalid(wrong);
    if (wrong) document.getElementById(`compliance-${wrong}`)?.focus();
    else setPeriod({ ...fields });
  };
  const data = state.data;
  return (
    <section>
      <PageHeading>{t('audit.compliance.title')}</PageHeading>
      <AuditNav current="compliance" />
      <p>{t('audit.compliance.intro')}</p>
      <form class="card form" noValidate onSubmit={submit}>
        <div class="row">
          {(['from', 'to'] as const).map((name) => (
            <FormField
              key={name}
              id={`compliance-${name}`}
              label={t(`audit.compliance.${name}`)}
              error={messageOf(name)}
            >
              <input
                type="date"
                value={fields[name]}
                {...fieldAria(`compliance-${name}`, messageOf(name))}
                onInput={(e) => setFields((f) => ({ ...f, [name]: e.currentTarget.value }))}
              />
            </FormField>
          ))}
        </div>
        <button type="submit" class="primary" disabled={state.loading}>
          {t('audit.compliance.show')}
        </button>
      </form>
      {state.error !== undefined && <Notice kind="error">{describeError(state.error, t)}</Notice>}
      {!data ? (
        state.error === undefined && <p>{t('app.loading')}</p>
      ) : (
        <div aria-live="polite" aria-busy={state.loading}>
          <p class="audit-moment">
            {t('audit.compliance.period', { from: jst(data.from), to: jst(data.to) })}
          </p>
          {data.rows.length === 0 ? (
            <p>{t('audit.compliance.empty')}</p>
          ) : (
            <>
              <ComplianceChart rows={data.rows} describedBy="compliance-caption" />
              <div class="table-wrap">
                <table class="compliance">
                  <caption id="compliance-caption">{t('audit.compliance.caption')}</caption>
                  <thead>
                    <tr>
                      <th scope="col">{t('audit.compliance.hop')}</th>
                      <th scope="col">{t('field.severity')}</th>
                      <th scope="col">{t('audit.compliance.total')}</th>
                      <th scope="col">{t('audit.compliance.met')}</th>
                      <th scope="col">{t('audit.compliance.missed')}</th>
                      <th scope="col">{t('audit.compliance.open')}</th>
                      <th scope="col">{t('audit.compliance.share')}</th>
                      <th scope="col">{t('audit.compliance.escalations')}</th>
                      <th scope="col">{t('audit.compliance.slowest')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {data.rows.map((r) => (
                      <tr key={`${r.hop}/${r.severity}`}>
                        <th scope="row">{t(`hop.${r.hop}`)}</th>
                        <td>{t(`severity.${r.severity}`)}</td>
                        <td class="num">{r.total}</td>
                        <td class="num">{r.met}</td>
                        <td class="num">{r.missed}</td>
                        <td class="num">{r.open}</td>
                        <td class="num">{percent(r.shareMet)}</td>
                        <td class="num">{r.escalations}</td>
                        <td>
                          <ul class="plain slowest">
                            {r.slowest.map((s) => (
                              <li key={s.incidentId}>
                                <Link to={{ name: 'auditStream', id: `incident#${s.incidentId}` }}>
                                  {s.incidentId.slice(0, 8)}
                                </Link>{' '}
                                {formatDuration(s.ms, t)} ({t(`audit.outcome.${s.outcome}`)})
                              </li>
                            ))}
                          </ul>
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </>
          )}
        </div>
      )}
    </section>
  );
}
