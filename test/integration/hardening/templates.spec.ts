import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..');

function files(dir: string, ext: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return files(path, ext);
    return entry.name.endsWith(ext) ? [path] : [];
  });
}

/*
 * The template lint: user data reaches HTML only through Handlebars' escaping
 * `{{ }}`, and never where escaping is not enough (inside a script, an event handler, a style attribute or
 * an unquoted attribute). A new template that breaks a rule fails here, naming the file and line.
 */
describe('templates: user data only through escaping {{ }}', () => {
  const templates = files(join(ROOT, 'views'), '.hbs').map((path) => ({
    name: relative(ROOT, path),
    lines: readFileSync(path, 'utf8').split('\n'),
  }));

  const offending = (test: (line: string, name: string) => boolean) =>
    templates.flatMap(({ name, lines }) =>
      lines.flatMap((line, i) => (test(line, name) ? [`${name}:${i + 1}: ${line.trim()}`] : [])),
    );

  it('finds the templates', () => {
    expect(templates.length).toBeGreaterThan(30);
  });

  it('has no triple-stash {{{ }}} except the layout’s {{{body}}}', () => {
    expect(
      offending((line, name) =>
        /\{\{\{/.test(line.replace(name === 'views/layouts/main.hbs' ? '{{{body}}}' : '', '')),
      ),
    ).toEqual([]);
  });

  it('has no inline script (so no {{ }} inside one) and no inline event handler or hx-on', () => {
    expect(offending((line) => /<script(?![^>]*\bsrc=)[^>]*>/i.test(line))).toEqual([]);
    expect(offending((line) => /\son[a-z]+\s*=/i.test(line) || /\shx-on[:-]/i.test(line))).toEqual([]);
  });

  it('has no style attribute (the CSP forbids them) and no {{ }} in one', () => {
    expect(offending((line) => /\sstyle\s*=/i.test(line))).toEqual([]);
  });

  it('quotes every attribute that takes a {{ }} value', () => {
    expect(offending((line) => /\s[\w:-]+=\{\{/.test(line))).toEqual([]);
  });

  it('has no SafeString or noEscape in the code (helpers return plain strings)', () => {
    const sources = files(join(ROOT, 'src'), '.ts').filter((f) => !f.endsWith('.spec.ts'));
    const found = sources.flatMap((path) => {
      const text = readFileSync(path, 'utf8');
      return /SafeString|noEscape|\{\{\{/.test(text.replace(/\{\{\{body\}\}\}/g, ''))
        ? [relative(ROOT, path)]
        : [];
    });
    expect(found).toEqual([]);
  });
});
