#!/usr/bin/env node
'use strict';
/** `npm run seed`: seed the demo organisation into DATABASE_URL when it has none (DEMO_PASSWORD required). */
require('reflect-metadata');
const { join } = require('node:path');
const { buildIfStale, root } = require('./build-if-stale');

buildIfStale();
const dist = join(root, 'apps/api/dist/apps/api/src');
const { loadConfig } = require(join(dist, 'platform/config.js'));
const { dataSourceOptions, runMigrations } = require(join(dist, 'platform/database.js'));
const { seedDemo } = require(join(dist, 'seed/demo-seed.js'));
const { DataSource } = require('typeorm');

async function run() {
  const config = loadConfig();
  if (!config.databaseUrl || !config.demoPassword) {
    process.stderr.write('Set DATABASE_URL and DEMO_PASSWORD (npm start seeds the embedded database by itself).\n');
    process.exit(2);
  }
  await runMigrations(config.databaseUrl);
  const ds = new DataSource(dataSourceOptions(config.databaseUrl));
  await ds.initialize();
  try {
    const result = await seedDemo(ds, config.demoPassword);
    process.stdout.write(
      result.seeded ? `seeded ${result.units} units and ${result.users} people\n` : 'organisation already present: nothing seeded\n',
    );
  } finally {
    await ds.destroy();
  }
}
run().catch((error) => {
  process.stderr.write(`seed failed: ${error.message}\n`);
  process.exit(1);
});
