/* global process, console */ // a Node script (ESM), run before the app is compiled
// Compiles what `npm start`, `npm run cli` and `npm run bench` run — every file under src/, migrations/ and
// test/bench/ (specs and .d.ts excepted) and whatever those import — from TypeScript to CommonJS in dist/,
// with swc, one file at a time. A file whose source is unchanged since the last build is not compiled again,
// so a start with nothing changed spends a few milliseconds here instead of a full `tsc` run.
// swc only strips types: `npm run typecheck` (tsc --noEmit) checks them, and CI runs it before the tests.
// The options come from .swcrc, which jest uses too, so the tests run the code exactly as it is built.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(ROOT, 'dist');
const MANIFEST = join(OUT, '.build-manifest.json');
const ENTRY_DIRS = ['src', 'migrations', 'test/bench'];
const require = createRequire(import.meta.url);

const sha1 = (data) => createHash('sha1').update(data).digest('hex');
const toPosix = (path) => path.split('\\').join('/');

function* sourcesUnder(dir) {
  if (!existsSync(dir)) return;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* sourcesUnder(path);
    else if (/\.ts$/.test(entry.name) && !/\.(spec|d)\.ts$/.test(entry.name)) yield path;
  }
}

/** The .ts file a relative `require("…")` of a compiled file points at, if it is one of ours. */
function resolveImport(fromFile, specifier) {
  const base = resolve(dirname(fromFile), specifier.replace(/\.js$/, ''));
  for (const candidate of [`${base}.ts`, join(base, 'index.ts')]) {
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

/** Writes through a temporary file and a rename, so a concurrent build or a starting app never reads half a file. */
function writeAtomically(path, data) {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, data);
  renameSync(temporary, path);
}

const outputOf = (relPath) => join(OUT, relPath.replace(/\.ts$/, '.js'));

function readManifest(key) {
  try {
    const manifest = JSON.parse(readFileSync(MANIFEST, 'utf8'));
    if (manifest.key === key) return manifest.files;
  } catch {
    // no manifest yet, or an unreadable one: build everything
  }
  return {};
}

async function build() {
  const started = Date.now();
  const { $schema: _schema, ...options } = JSON.parse(readFileSync(join(ROOT, '.swcrc'), 'utf8'));
  const swcVersion = JSON.parse(readFileSync(require.resolve('@swc/core/package.json'), 'utf8')).version;
  // Another swc, other options or another version of this script make every earlier output suspect.
  const key = sha1(
    JSON.stringify([swcVersion, options, readFileSync(fileURLToPath(import.meta.url), 'utf8')]),
  );
  const previous = readManifest(key);
  const files = {};
  let swc;
  let compiled = 0;
  let failed = 0;

  let frontier = ENTRY_DIRS.flatMap((dir) => [...sourcesUnder(join(ROOT, dir))]);
  while (frontier.length) {
    const next = [];
    await Promise.all(
      frontier.map(async (absolute) => {
        const relPath = toPosix(relative(ROOT, absolute));
        if (files[relPath]) return;
        const source = readFileSync(absolute, 'utf8');
        const hash = sha1(source);
        files[relPath] = { hash, imports: [] };
        const out = outputOf(relPath);
        const known = previous[relPath];
        let imports;
        if (known && known.hash === hash && existsSync(out)) {
          imports = known.imports;
        } else {
          swc ??= require('@swc/core');
          let result;
          try {
            result = await swc.transform(source, {
              ...options,
              swcrc: false,
              filename: absolute,
              sourceMaps: true,
              sourceFileName: toPosix(relative(dirname(out), absolute)),
            });
          } catch (error) {
            failed++;
            delete files[relPath];
            console.error(`${relPath}: ${error instanceof Error ? error.message : String(error)}`);
            return;
          }
          writeAtomically(`${out}.map`, result.map);
          writeAtomically(out, `${result.code}\n//# sourceMappingURL=${basename(out)}.map\n`);
          compiled++;
          imports = [...result.code.matchAll(/\brequire\("(\.{1,2}\/[^"]*)"\)/g)]
            .map(([, specifier]) => resolveImport(absolute, specifier))
            .filter(Boolean)
            .map((path) => toPosix(relative(ROOT, path)));
        }
        files[relPath].imports = imports;
        for (const imported of imports) if (!files[imported]) next.push(join(ROOT, imported));
      }),
    );
    frontier = next;
  }
  if (failed) {
    console.error(`build: ${failed} file(s) could not be compiled`);
    process.exit(1);
  }
  // Outputs of sources that were deleted or are no longer imported would otherwise linger in dist.
  for (const relPath of Object.keys(previous)) {
    if (files[relPath]) continue;
    rmSync(outputOf(relPath), { force: true });
    rmSync(`${outputOf(relPath)}.map`, { force: true });
  }
  writeAtomically(MANIFEST, JSON.stringify({ key, files }));
  if (compiled && !process.argv.includes('--quiet')) {
    console.error(
      `build: compiled ${compiled} of ${Object.keys(files).length} files in ${Date.now() - started} ms`,
    );
  }
}

await build();
