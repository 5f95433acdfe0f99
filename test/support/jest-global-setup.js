/* global require, module, process */ // CommonJS: Jest loads global setup with require()
/* eslint-disable @typescript-eslint/no-require-imports */
// One scratch folder per test run, shared by its workers (forked after this runs, they inherit the
// environment) and removed by jest-global-teardown.js: test/support/database.ts keeps the run's migrated
// embedded database there.
const { mkdtempSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

module.exports = async () => {
  process.env.CLIENTELA_TEST_RUN_DIR = mkdtempSync(join(tmpdir(), 'clientela-test-run-'));
};
