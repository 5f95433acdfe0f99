/* global require, module, process */ // CommonJS: Jest loads global teardown with require()
/* eslint-disable @typescript-eslint/no-require-imports */
const { rmSync } = require('node:fs');

module.exports = async () => {
  const runDir = process.env.CLIENTELA_TEST_RUN_DIR;
  if (runDir) rmSync(runDir, { recursive: true, force: true });
};
