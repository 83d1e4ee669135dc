import type { JSX } from 'preact';

/** What a field's control carries so that its hint and error are read out with it. */
export interface FieldAria {
  readonly 'aria-invalid': boolean;
  readonly 'aria-describedby'?: string;
}

/** A labelled form field: its hint, its control (given the aria attributes), and its error once there is one. */
export function LabelledField(props: {
  id: string;
  label: string;
  hint?: string;
  error?: string | null;
  children: (aria: FieldAria) => JSX.Element;
}) {
  const { id, hint, error } = props;
  const describedBy = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return (
    <div class={error ? 'field has-error' : 'field'}>
      <label for={id}>{props.label}</label>
      {hint && (
        <span class="hint" id={`${id}-hint`}>
          {hint}
        </span>
      )}
      {props.children({
        'aria-invalid': Boolean(error),
        ...(describedBy ? { 'aria-describedby': describedBy } : {}),
      })}
      {error && (
        <span class="field-error" id={`${id}-error`}>
          {error}
        </span>
      )}
    </div>
  );
}
