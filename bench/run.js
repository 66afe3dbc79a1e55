#!/usr/bin/env node
'use strict';
/** `npm run bench [name]`: runs every bench/<name>.bench.js (or the one named) and prints its figures. */
const { readdirSync } = require('node:fs');
const { spawnSync } = require('node:child_process');
const { join } = require('node:path');
const { buildIfStale } = require('../scripts/build-if-stale');

buildIfStale();
const only = process.argv[2];
const files = readdirSync(__dirname).filter((f) => f.endsWith('.bench.js') && (!only || f === `${only}.bench.js`));
if (files.length === 0) {
  process.stderr.write(`no benchmark named ${only}\n`);
  process.exit(2);
}
let failed = 0;
for (const file of files) {
  process.stdout.write(`\n== ${file}\n`);
  const result = spawnSync(process.execPath, [join(__dirname, file)], { stdio: 'inherit' });
  if (result.status !== 0) failed += 1;
}
process.exit(failed ? 1 : 0);
