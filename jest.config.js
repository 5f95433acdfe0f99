// Three tiers: unit specs beside the code, HTTP/integration tests against real PostgreSQL
// (or embedded PGlite when no database URL is given), and browser tests in headless Chromium.
// Nest 12 is ESM-only: @swc/jest compiles TypeScript and Nest's ESM to CommonJS.
const esm = ['@nestjs', '@noble', '@scure', 'file-type', 'strtok3', 'token-types', '@tokenizer', '@borewit', 'uint8array-extras', 'otplib', '@otplib'];
const transform = {
  '^.+\\.(t|j)s$': [
    '@swc/jest',
    {
      module: { type: 'commonjs' },
      jsc: {
        target: 'es2022',
        keepClassNames: true,
        parser: { syntax: 'typescript', decorators: true },
        transform: { legacyDecorator: true, decoratorMetadata: true },
      },
    },
  ],
};
// Embedded PGlite needs --experimental-vm-modules. Forked workers inherit NODE_OPTIONS;
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
};
