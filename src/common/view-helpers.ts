import { promisify } from 'node:util';
import hbs from 'hbs';
import type { HelperOptions } from 'handlebars';
import { translate } from './i18n/translate';

type Options = HelperOptions & { data: { root: Record<string, unknown> } };

const localeOf = (options: Options) => (options?.data?.root?.locale as string | undefined) ?? 'pt-BR';
const TIME_ZONE = 'America/Sao_Paulo';

/**
 * Formatters are built once per locale and style: `new Intl.DateTimeFormat` costs ~70 µs and native (ICU) memory
 * that V8 reclaims late — a page with a long history built hundreds per request and grew the process by hundreds
 * of MB under load (BENCHMARKS.md).
 */
const DATE_FORMATS = new Map<string, Intl.DateTimeFormat>();
function dateFormat(
  locale: string,
  dateStyle: 'short',
  timeStyle: 'short' | undefined,
  timeZone: string,
): Intl.DateTimeFormat {
  const key = `${locale}|${dateStyle}|${timeStyle ?? ''}|${timeZone}`;
  let format = DATE_FORMATS.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(locale, { dateStyle, ...(timeStyle ? { timeStyle } : {}), timeZone });
    // Locales come from the operator's validated setting; the bound only guards against surprises.
    if (DATE_FORMATS.size < 64) DATE_FORMATS.set(key, format);
  }
  return format;
}

/** An instant as the operator reads it: short date and time, in São Paulo. */
export function formatDateTime(locale: string, value: Date | string): string {
  return dateFormat(locale, 'short', 'short', TIME_ZONE).format(new Date(value));
}

/**
 * Registers every template under `views/` as a partial under its own path (`{{> clients/_row}}`), so a
 * page includes exactly the partial a handler later renders alone, plus the helpers templates use.
 * Helpers return plain strings: Handlebars escapes them (only `{{{body}}}` is ever unescaped).
 */
export async function registerViewHelpers(viewsDir: string): Promise<void> {
  // @types/hbs omits the `rename` option that hbs 4 supports; keep `clients/_row` instead of `clients/_row`→`_`.
  const registerPartials = hbs.registerPartials.bind(hbs) as unknown as (
    dir: string,
    options: { rename: (name: string) => string },
    done: (err?: Error) => void,
  ) => void;
  await promisify(registerPartials)(viewsDir, { rename: (name: string) => name });

  hbs.registerHelper('t', function (key: string, options: Options) {
    return translate(localeOf(options), key, options.hash);
  });
  hbs.registerHelper('eq', (a: unknown, b: unknown) => String(a) === String(b));
  hbs.registerHelper('neq', (a: unknown, b: unknown) => String(a) !== String(b));
  hbs.registerHelper('and', (...args: unknown[]) => args.slice(0, -1).every(Boolean));
  hbs.registerHelper('or', (...args: unknown[]) => args.slice(0, -1).some(Boolean));
  hbs.registerHelper('not', (a: unknown) => !a);
  hbs.registerHelper('includes', (list: unknown, value: unknown) =>
    Array.isArray(list) ? list.map(String).includes(String(value)) : false,
  );
  hbs.registerHelper('concat', (...args: unknown[]) => args.slice(0, -1).join(''));
  hbs.registerHelper('iso', (value: Date | string | null | undefined) =>
    value ? new Date(value).toISOString() : '',
  );
  hbs.registerHelper('dateTime', function (value: Date | string | null | undefined, options: Options) {
    return value ? formatDateTime(localeOf(options), value) : '';
  });
  hbs.registerHelper('date', function (value: Date | string | null | undefined, options: Options) {
    if (!value) return '';
    // Plain dates (YYYY-MM-DD) are calendar days, not instants: format them without a time-zone shift.
    const d =
      typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value)
        ? new Date(`${value}T12:00:00Z`)
        : new Date(value);
    return dateFormat(
      localeOf(options),
      'short',
      undefined,
      typeof value === 'string' ? 'UTC' : TIME_ZONE,
    ).format(d);
  });

  compileWithKnownHelpers();
}

/**
 * Every template is compiled knowing the helpers above (Handlebars' `knownHelpers`, `knownHelpersOnly`): a
 * `{{name}}` is then a plain lookup instead of a check for a helper of that name first, and a helper call
 * is a direct call. A template that uses a helper registered nowhere fails to compile instead of rendering
 * nothing.
 */
function compileWithKnownHelpers(): void {
  const handlebars = hbs.handlebars;
  const compile = handlebars.compile.bind(handlebars);
  const knownHelpers = Object.fromEntries(Object.keys(handlebars.helpers).map((name) => [name, true]));
  handlebars.compile = ((input: string, options?: Parameters<typeof handlebars.compile>[1]) =>
    compile(input, { knownHelpers, knownHelpersOnly: true, ...options })) as typeof handlebars.compile;
}
