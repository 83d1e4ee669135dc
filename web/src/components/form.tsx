import type { ComponentChildren, Ref } from 'preact';
import { useT } from '../i18n/lang.ts';
import type { FieldError } from '../report-form.ts';

/** A field's element id in a form: `prefix-` and its API path with dots as dashes. */
export const fieldId = (prefix: string, path: string) => `${prefix}-${path.replaceAll('.', '-')}`;

/** aria-invalid and aria-describedby for a control with an optional hint and error. */
export function fieldAria(id: string, error: string | undefined, hint = false) {
  const ids = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean);
  return {
    id,
    'aria-invalid': error ? true : undefined,
    'aria-describedby': ids.length > 0 ? ids.join(' ') : undefined,
  } as const;
}

/** A labelled control with its hint and error above it. */
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
      {props.children}
    </div>
  );
}

/** The list of a form's problems, each a link to its field; focused when shown. */
export function ErrorSummary(props: {
  entries: { id: string; label: string; error: FieldError }[];
  summaryRef: Ref<HTMLDivElement>;
}) {
  const t = useT();
  if (props.entries.length === 0) return null;
  return (
    <div
      class="error-summary"
      ref={props.summaryRef}
      tabIndex={-1}
      role="alert"
      aria-labelledby="error-summary-title"
    >
      <h2 id="error-summary-title">{t('report.errors', { n: props.entries.length })}</h2>
      <ul>
        {props.entries.map((e) => (
          <li key={e.id}>
            <a href={`#${e.id}`}>
              {e.label}: {t(e.error.key, e.error.params)}
            </a>
          </li>
        ))}
      </ul>
    </div>
  );
}
