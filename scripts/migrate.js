#!/usr/bin/env node
'use strict';
/** `npm run migrate`: apply pending migrations to DATABASE_URL (required: the embedded database migrates itself at start). */
const { join } = require('node:path');
const { buildIfStale, root } = require('./build-if-stale');

buildIfStale();
const dist = join(root, 'apps/api/dist/apps/api/src');
const { loadConfig } = require(join(dist, 'platform/config.js'));
const { runMigrations } = require(join(dist, 'platform/database.js'));

const config = loadConfig();
if (!config.databaseUrl) {
  process.stderr.write('DATABASE_URL is not set: the embedded database is migrated by `npm start` itself.\n');
  process.exit(2);
}
runMigrations(config.databaseUrl).then(
  (applied) => process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'schema is up to date\n'),
  (error) => {
    process.stderr.write(`migration failed: ${error.message}\n`);
    process.exit(1);
  },
);
