import type { Response } from 'express';
import type { FieldErrors } from './forms';
import { translate } from './i18n/translate';

/** Everything a form page shows, in one object (see `renderFormPage`). */
export interface FormPage {
  /** The template, e.g. `clients/form`. */
  view: string;
  /** i18n key of the page title. */
  titleKey: string;
  /** The navigation section the page belongs to. */
  section: string;
  /** The values in the fields: loaded, defaults, or what was submitted. */
  form: object;
  /** One message per field; any makes the page a 422 unless `status` says otherwise. */
  errors?: FieldErrors;
  status?: number;
  /** Whatever else the template needs (the record edited, options, the form's action). */
  extras?: Record<string, unknown>;
}

/**
 * Renders a form page: a blank or loaded form (200), or the same form with the submitted values and a
 * message per field (422). Templates get `title`, `section`, `form`, `errors`, `hasErrors` (for the
 * summary at the top) and the extras.
 */
export function renderFormPage(res: Response, page: FormPage): void {
  const errors = page.errors ?? {};
  const hasErrors = Object.keys(errors).length > 0;
  res.status(page.status ?? (hasErrors ? 422 : 200)).render(page.view, {
    ...page.extras,
    title: translate(res.locals.locale, page.titleKey),
    section: page.section,
    form: page.form,
    errors,
    hasErrors,
  });
}
