// Three tiers: unit specs beside the code, HTTP/integration tests against real PostgreSQL
// (or embedded PGlite when no database URL is given), and browser tests in headless Chromium.
// Nest 12 is ESM-only: @swc/jest compiles TypeScript and Nest's ESM to CommonJS with the options of .swcrc,
// the same ones `npm run build` uses for dist, so the tests run the code as the app runs it.
const { readFileSync } = require('node:fs');
const { availableParallelism } = require('node:os');
const { $schema: _schema, ...swcOptions } = JSON.parse(readFileSync(`${__dirname}/.swcrc`, 'utf8'));
const esm = ['@nestjs', '@noble', '@scure', 'file-type', 'strtok3', 'token-types', '@tokenizer', '@borewit', 'uint8array-extras', 'otplib', '@otplib'];
const transform = { '^.+\\.(t|j)s$': ['@swc/jest', swcOptions] };
// Embedded PGlite loads Node built-ins with a dynamic import(), which needs --experimental-vm-modules in Jest's VM.
// Forked workers inherit NODE_OPTIONS;
// test/support/jest-runner.js makes sure a bare `npx jest` always uses a worker.
if (!/--experimental-vm-modules/.test(process.env.NODE_OPTIONS ?? '')) {
  process.env.NODE_OPTIONS = `${process.env.NODE_OPTIONS ?? ''} --experimental-vm-modules`.trim();
}
const common = {
  testEnvironment: 'node',
  runner: '<rootDir>/test/support/jest-runner.js',
  setupFiles: ['reflect-metadata'], // as main.ts and cli.ts do first: decorators of DTOs and entities need it
  moduleFileExtensions: ['js', 'json', 'ts'],
  transform,
  transformIgnorePatterns: [`/node_modules/(?!(${esm.join('|')})/)`],
};
module.exports = {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/src/**/*.spec.ts'] },
    { ...common, displayName: 'integration', testMatch: ['<rootDir>/test/integration/**/*.spec.ts'] },
    { ...common, displayName: 'browser', testMatch: ['<rootDir>/test/e2e/**/*.spec.ts'] },
  ],
  // A global option (Jest ignores it inside `projects`): app start-up on embedded PGlite and argon2 need headroom.
  testTimeout: 60000,
  // Jest's default is one worker per CPU but one: a single worker on a 2-core machine, where the files (most of
  // their time in-process app start-up and, without a server, the embedded database) then run one by one.
  maxWorkers: Math.max(2, availableParallelism() - 1),
  globalSetup: '<rootDir>/test/support/jest-global-setup.js',
  globalTeardown: '<rootDir>/test/support/jest-global-teardown.js',
};
