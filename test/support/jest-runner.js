/* global require, module */ // CommonJS: Jest loads runners with require()
/* eslint-disable @typescript-eslint/no-require-imports */
// PGlite (the embedded PostgreSQL) loads Node built-ins with dynamic `import()`, which Jest's VM only allows
// under --experimental-vm-modules. `npm test` passes the flag; for a bare `npx jest`, jest.config.js puts it in
// NODE_OPTIONS, which only forked workers see. So when this process lacks it, always run test files in workers
// (jest would otherwise run a single file in band, in this process).
const vm = require('node:vm');
const { default: TestRunner } = require('jest-runner');

const vmModulesEnabled = typeof vm.SyntheticModule === 'function';

class VmModulesTestRunner extends TestRunner {
  runTests(tests, watcher, options) {
    return super.runTests(tests, watcher, vmModulesEnabled ? options : { ...options, serial: false });
  }
}

module.exports = VmModulesTestRunner;
