import { execFile } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { buildApp } from '../../support/built-app';

const run = promisify(execFile);
const ROOT = join(__dirname, '..', '..', '..');

/** A project of a few files with this repository's build script, .swcrc and node_modules. */
function miniProject(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'clientela-build-'));
  mkdirSync(join(dir, 'scripts'));
  copyFileSync(join(ROOT, 'scripts', 'build.mjs'), join(dir, 'scripts', 'build.mjs'));
  copyFileSync(join(ROOT, '.swcrc'), join(dir, '.swcrc'));
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  for (const [path, text] of Object.entries(files)) write(dir, path, text);
  return dir;
}

function write(dir: string, path: string, text: string) {
  mkdirSync(dirname(join(dir, path)), { recursive: true });
  writeFileSync(join(dir, path), text);
}

/** `npm run build` in `dir`; what it reports (nothing when there was nothing to compile). */
async function build(dir: string): Promise<string> {
  const { stderr } = await run(process.execPath, [join(dir, 'scripts', 'build.mjs')], { cwd: dir });
  return stderr.trim();
}

describe('npm run build (swc, incremental)', () => {
  it('compiles the entry folders and what they import, then only the files whose source changed', async () => {
    const dir = miniProject({
      'src/main.ts': `import { greet } from './greet';\nconsole.log(greet('Ana'));\n`,
      'src/greet.ts': `export const greet = (name: string): string => \`Olá, \${name}\`;\n`,
      'src/greet.spec.ts': `it('is not built', () => undefined);\n`,
      'test/bench/bench.ts': `import { port } from '../support/port';\nconsole.log(port);\n`,
      'test/support/port.ts': `export const port: number = 3000;\n`,
      'test/support/unused.ts': `export const unused = 1;\n`,
    });
    try {
      expect(await build(dir)).toMatch(/^build: compiled 4 of 4 files/);
      expect(existsSync(join(dir, 'dist/test/support/port.js'))).toBe(true);
      expect(existsSync(join(dir, 'dist/test/support/unused.js'))).toBe(false);
      expect(existsSync(join(dir, 'dist/src/greet.spec.js'))).toBe(false);
      const { stdout } = await run(process.execPath, [join(dir, 'dist/src/main.js')]);
      expect(stdout.trim()).toBe('Olá, Ana');

      const before = statSync(join(dir, 'dist/src/main.js')).mtimeMs;
      expect(await build(dir)).toBe('');
      expect(statSync(join(dir, 'dist/src/main.js')).mtimeMs).toBe(before);

      write(dir, 'src/greet.ts', `export const greet = (name: string): string => \`Oi, \${name}\`;\n`);
      expect(await build(dir)).toMatch(/^build: compiled 1 of 4 files/);
      expect((await run(process.execPath, [join(dir, 'dist/src/main.js')])).stdout.trim()).toBe('Oi, Ana');

      // a file no longer imported, or deleted, takes its output along
      write(dir, 'test/bench/bench.ts', `console.log(0);\n`);
      write(dir, 'src/main.ts', `console.log('Olá');\n`);
      rmSync(join(dir, 'src/greet.ts'));
      expect(await build(dir)).toMatch(/^build: compiled 2 of 2 files/);
      expect(existsSync(join(dir, 'dist/test/support/port.js'))).toBe(false);
      expect(existsSync(join(dir, 'dist/src/greet.js'))).toBe(false);
      expect(existsSync(join(dir, 'dist/src/greet.js.map'))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('fails, naming the file, when a source does not parse', async () => {
    const dir = miniProject({ 'src/main.ts': `export const broken = (;\n` });
    try {
      await expect(build(dir)).rejects.toMatchObject({
        code: 1,
        stderr: expect.stringContaining('src/main.ts'),
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('keeps the decorator metadata that Nest, class-validator and TypeORM read at run time', async () => {
    await buildApp();
    const script = `
      require('reflect-metadata');
      const { OperatorsService } = require('./dist/src/auth/operators.service');
      const { Operator } = require('./dist/src/auth/operator.entity');
      const { SetupDto } = require('./dist/src/auth/dto/operator.dto');
      const { getMetadataStorage } = require('class-validator');
      console.log(JSON.stringify({
        injected: Reflect.getMetadata('design:paramtypes', OperatorsService).map((t) => t.name),
        column: Reflect.getMetadata('design:type', Operator.prototype, 'active').name,
        validated: [...new Set(getMetadataStorage().getTargetValidationMetadatas(SetupDto, '', true, false).map((m) => m.propertyName))],
        className: Operator.name,
      }));`;
    const { stdout } = await run(process.execPath, ['-e', script], { cwd: ROOT });
    expect(JSON.parse(stdout)).toEqual({
      injected: ['Repository', 'DataSource'],
      column: 'Boolean',
      validated: ['name', 'email', 'password'],
      className: 'Operator',
    });
  }, 120_000);
});
