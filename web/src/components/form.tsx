import type { ComponentChildren, Ref } from 'preact';
import { useRef, useState } from 'preact/hooks';
import { type Tlp, tlpLabels } from '../../../events/incident/report.ts';
import { ApiError } from '../api.ts';
import { useT } from '../i18n/lang.ts';
import type { FieldError } from '../report-form.ts';
import { TlpLabel } from './ui.tsx';

/** A form's field errors: `show` sets them and focuses the summary once it renders; `text` words one. */
export function useFieldErrors<F extends string>() {
  const t = useT();
  const [errors, setErrors] = useState<Partial<Record<F, FieldError>>>({});
  const summaryRef = useRef<HTMLDivElement>(null);
  const show = (next: Partial<Record<F, FieldError>>) => {
    setErrors(next);
    // After the summary renders: focus it, so the reader hears how many problems and where.
    setTimeout(() => summaryRef.current?.focus(), 0);
  };
  const text = (field: F) => {
    const e = errors[field];
    return e ? t(e.key, e.params) : undefined;
  };
  return { errors, setErrors, show, text, summaryRef };
}

/** The API's 400 as field errors (each field it names is "invalid"); null when it names none of them. */
export function fieldErrorsOf<F extends string>(
  error: unknown,
  fieldOf: (path: string) => F | undefined,
): Partial<Record<F, FieldError>> | null {
  if (!(error instanceof ApiError) || error.problem.status !== 400 || !error.problem.errors) return null;
  const next: Partial<Record<F, FieldError>> = {};
  for (const issue of error.problem.errors) {
    const field = fieldOf(issue.path);
    if (field && !next[field]) next[field] = { key: 'error.invalid' };
  }
  return Object.keys(next).length > 0 ? next : null;
}

/** A field's element id in a form: `prefix-` and its API path with dots as dashes. */
export const fieldId = (prefix: string, path: string) => `${prefix}-${path.replaceAll('.', '-')}`;

/** The control's id with {@link describedBy}'s attributes, to spread on it. */
export const fieldAria = (id: string, error: string | undefined, hint = false) =>
  ({ id, ...describedBy(id, error, hint) }) as const;

/** aria-invalid and aria-describedby for the control `id`, with an optional hint and error beside it. */
export function describedBy(id: string, error: string | undefined, hint = false) {
  const ids = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean);
  return {
    'aria-invalid': error ? true : undefined,
    'aria-describedby': ids.length > 0 ? ids.join(' ') : undefined,
  } as const;
}

/** A control's hint and error, each with the id {@link describedBy} points at. */
export function HintAndError(props: { id: string; hint?: string | undefined; error: string | undefined }) {
  return (
    <>
      {props.hint && (
        <p class="hint" id={`${props.id}-hint`}>
          {props.hint}
        </p>
      )}
      {props.error && (
        <p class="field-error" id={`${props.id}-error`}>
          {props.error}
        </p>
      )}
    </>
  );
}

/** A labelled form field: label (with "required"), hint, error, then the control whose id is `id`. */
export function FormField(props: {
  id: string;
  label: string;
  hint?: string | undefined;
  error: string | undefined;
  required?: boolean;
  children: ComponentChildren;
}) {
  const t = useT();
  return (
    <div class={props.error ? 'field has-error' : 'field'}>
      <label for={props.id}>
        {props.label} {props.required && <span class="required">({t('field.required')})</span>}
      </label>
      <HintAndError id={props.id} hint={props.hint} error={props.error} />
      {props.children}
    </div>
  );
}

/**
 * The list of a form's errors, each a link to its field. The form focuses it (`summaryRef`) after a
 * failed submit, so a screen reader hears how many problems and where.
 */
export function ErrorSummary(props: {
  title: string;
  items: readonly { id: string; text: string }[];
  summaryRef: Ref<HTMLDivElement>;
}) {
  if (props.items.length === 0) return null;
  return (
    <div
      class="error-summary"
      ref={props.summaryRef}
      tabIndex={-1}
      role="alert"
      aria-labelledby="error-summary-title"
    >
      <h2 id="error-summary-title">{props.title}</h2>
      <ul>
        {props.items.map((item) => (
          <li key={item.id}>
            <a href={`#${item.id}`}>{item.text}</a>
          </li>
        ))}
      </ul>
    </div>
  );
}

/** {@link ErrorSummary} for errors kept as message keys: "label: message" per field, the count in the title. */
export function FieldErrorSummary(props: {
  entries: readonly { id: string; label: string; error: FieldError }[];
  summaryRef: Ref<HTMLDivElement>;
}) {
  const t = useT();
  return (
    <ErrorSummary
      title={t('report.errors', { n: props.entries.length })}
      items={props.entries.map((e) => ({ id: e.id, text: `${e.label}: ${t(e.error.key, e.error.params)}` }))}
      summaryRef={props.summaryRef}
    />
  );
}

/** The title and text of an advisory-to-be (a drill, a shared incident), with their errors. */
export function TitleAndBodyFields(props: {
  id: (field: string) => string;
  values: { readonly title: string; readonly body: string };
  error: (field: string) => string | undefined;
  onChange: (field: 'title' | 'body', value: string) => void;
  bodyRows: number;
}) {
  const t = useT();
  const { id, error } = props;
  return (
    <>
      <FormField id={id('title')} label={t('field.title')} error={error('title')} required>
        <input
          type="text"
          value={props.values.title}
          maxLength={200}
          onInput={(e) => props.onChange('title', e.currentTarget.value)}
          {...fieldAria(id('title'), error('title'))}
        />
      </FormField>
      <FormField id={id('body')} label={t('field.body')} error={error('body')} required>
        <textarea
          rows={props.bodyRows}
          value={props.values.body}
          onInput={(e) => props.onChange('body', e.currentTarget.value)}
          {...fieldAria(id('body'), error('body'))}
        />
      </FormField>
    </>
  );
}

/** The TLP label as a select, each option with FIRST's meaning. */
export function TlpSelectField(props: {
  id: string;
  value: string;
  error: string | undefined;
  onChange: (tlp: string) => void;
}) {
  const t = useT();
  return (
    <FormField id={props.id} label={t('field.tlp')} error={props.error} required>
      <select
        value={props.value}
        onChange={(e) => props.onChange(e.currentTarget.value)}
        {...fieldAria(props.id, props.error)}
      >
        {tlpLabels.map((l) => (
          <option key={l} value={l}>
            TLP:{l} — {t(`tlp.${l}`)}
          </option>
        ))}
      </select>
    </FormField>
  );
}

/** The five TLP 2.0 labels as radio buttons, each with its FIRST label and meaning. */
export function TlpRadios(props: { value: string; onChange: (tlp: Tlp) => void }) {
  const t = useT();
  return (
    <>
      {tlpLabels.map((l) => (
        <label key={l} class="choice tlp-choice">
          <input
            type="radio"
            name="tlp"
            value={l}
            checked={props.value === l}
            onChange={() => props.onChange(l)}
          />
          <TlpLabel tlp={l} /> <span>{t(`tlp.${l}`)}</span>
        </label>
      ))}
    </>
  );
}
