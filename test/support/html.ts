/*
 * Small readers for the server-rendered HTML the tests assert on. The markup is ours and regular
 * (partials/_input.hbs, _field-error.hbs, clients/_row.hbs), so anchored regular expressions suffice;
 * values are decoded from Handlebars' escaping before comparison.
 */

const ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  '#x27': "'",
  '#x60': '`',
  '#x3D': '=',
  '#39': "'",
};

/** Undoes Handlebars' `{{ }}` escaping (and numeric entities). */
export function decode(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#\d+|[a-z]+);/g, (whole, name: string) => {
    if (name in ENTITIES) return ENTITIES[name];
    if (name.startsWith('#x')) return String.fromCodePoint(parseInt(name.slice(2), 16));
    if (name.startsWith('#')) return String.fromCodePoint(parseInt(name.slice(1), 10));
    return whole;
  });
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The `value` of `<input name="…">`, decoded; undefined when there is no such input. */
export function inputValue(html: string, name: string): string | undefined {
  const tag = new RegExp(`<input[^>]*\\bname="${escapeRe(name)}"[^>]*>`).exec(html)?.[0];
  if (!tag) return undefined;
  const value = /\bvalue="([^"]*)"/.exec(tag);
  return value ? decode(value[1]) : '';
}

/** The text of `<textarea name="…">`, decoded. */
export function textareaValue(html: string, name: string): string | undefined {
  const match = new RegExp(`<textarea[^>]*\\bname="${escapeRe(name)}"[^>]*>([\\s\\S]*?)</textarea>`).exec(
    html,
  );
  return match ? decode(match[1]) : undefined;
}

/** The `<select name="…">` element's markup. */
export function selectHtml(html: string, name: string): string | undefined {
  return new RegExp(`<select[^>]*\\bname="${escapeRe(name)}"[^>]*>[\\s\\S]*?</select>`).exec(html)?.[0];
}

/** The value of the selected option of `<select name="…">` ('' when none is marked). */
export function selectedValue(html: string, name: string): string | undefined {
  const select = selectHtml(html, name);
  if (select === undefined) return undefined;
  const selected = /<option value="([^"]*)"[^>]*\bselected\b/.exec(select);
  return selected ? decode(selected[1]) : '';
}

/** `{ value, label }` of every `<option>` in the markup. */
export function options(html: string): Array<{ value: string; label: string }> {
  return [...html.matchAll(/<option value="([^"]*)"[^>]*>([^<]*)<\/option>/g)].map((m) => ({
    value: decode(m[1]),
    label: decode(m[2]),
  }));
}

/** The message shown under a field (`<small id="<field>-error">`), decoded; undefined when none. */
export function fieldError(html: string, field: string): string | undefined {
  const match = new RegExp(`<small id="${escapeRe(field)}-error"[^>]*>([\\s\\S]*?)</small>`).exec(html);
  return match ? decode(match[1]).trim() : undefined;
}

/** Every field that shows an error message. */
export function fieldsWithErrors(html: string): string[] {
  return [...html.matchAll(/<small id="([A-Za-z]+)-error"/g)].map((m) => m[1]);
}

/** The ids of the client rows (`<tr id="client-…">`) in page order. */
export function rowIds(html: string): string[] {
  return [...html.matchAll(/<tr id="client-([0-9a-f-]{36})"/g)].map((m) => m[1]);
}

/** The markup of one client row. */
export function rowHtml(html: string, clientId: string): string | undefined {
  return new RegExp(`<tr id="client-${clientId}"[\\s\\S]*?</tr>`).exec(html)?.[0];
}

/** The trade names of the client rows, in page order. */
export function rowNames(html: string): string[] {
  return [
    ...html.matchAll(/<tr id="client-([0-9a-f-]{36})"[^>]*>[\s\S]*?<a href="\/clients\/\1">([^<]*)<\/a>/g),
  ].map((m) => decode(m[2]));
}

/** Plain text of a fragment: tags removed, entities decoded, whitespace collapsed. */
export function text(html: string): string {
  return decode(html.replace(/<[^>]+>/g, ' '))
    .replace(/\s+/g, ' ')
    .trim();
}

/** The first `<tag …>` whose attributes include all of `attrs` (values compared decoded), in any order. */
export function findTag(html: string, tag: string, attrs: Record<string, string>): string | undefined {
  for (const match of html.matchAll(new RegExp(`<${tag}\\b[^>]*>`, 'g'))) {
    const found = Object.fromEntries(
      [...match[0].matchAll(/([\w:-]+)="([^"]*)"/g)].map((m) => [m[1], decode(m[2])]),
    );
    if (Object.entries(attrs).every(([name, value]) => found[name] === value)) return match[0];
  }
  return undefined;
}
