import type { FormAlert } from '@pipeline-portal/frontend-kit';
import { useState } from 'react';
import { errorMessage, fieldErrors, Issue } from '../util';

/** Messages keyed by a field's dotted path (`labels.0.key`); `''` for the form as a whole. */
export type FieldErrors = Record<string, string>;

export type { FormAlert } from '@pipeline-portal/frontend-kit';

/** What a refused request means for the form: the alert, and the fields it names. */
export interface FormFailure {
  alert: FormAlert;
  errors?: FieldErrors;
}

/** A form's input after client-side checks: the request to send, or why not. */
export type Validated<T> =
  | { ok: true; value: T }
  | { ok: false; errors: FieldErrors };

type ParseResult<T> =
  | { success: true; data: T }
  | { success: false; error: { issues: readonly Issue[] } };

/** A schema's `safeParse` result as a form sees it. */
export function validated<T>(result: ParseResult<T>): Validated<T> {
  return result.success
    ? { ok: true, value: result.data }
    : { ok: false, errors: fieldErrors(result.error.issues) };
}

const serverMessage = (error: unknown): FormFailure => ({
  alert: { severity: 'error', text: errorMessage(error) },
});

/**
 * The state every form dialog keeps: field errors, the alert beside the form
 * and whether a request is under way. `submit` sends nothing while the input
 * is invalid.
 */
export function useFormSubmit(
  explain: (error: unknown) => FormFailure = serverMessage,
) {
  const [errors, setErrors] = useState<FieldErrors>({});
  const [alert, setAlert] = useState<FormAlert>();
  const [submitting, setSubmitting] = useState(false);

  const submit = async <T>(
    input: Validated<T>,
    send: (value: T) => Promise<void>,
  ): Promise<boolean> => {
    if (!input.ok) {
      setErrors(input.errors);
      setAlert(
        input.errors['']
          ? { severity: 'error', text: input.errors[''] }
          : undefined,
      );
      return false;
    }
    setErrors({});
    setAlert(undefined);
    setSubmitting(true);
    try {
      await send(input.value);
      return true;
    } catch (e) {
      const failure = explain(e);
      setAlert(failure.alert);
      setErrors(failure.errors ?? {});
      return false;
    } finally {
      setSubmitting(false);
    }
  };

  const reset = () => {
    setErrors({});
    setAlert(undefined);
  };

  return { errors, alert, submitting, submit, reset };
}
