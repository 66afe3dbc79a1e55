#!/usr/bin/env node
'use strict';
/**
 * `npm start`: build whatever is stale, then run the whole platform — api and workers. With
 * API_PROCESSES above 1 (the default on a machine with several cores) this process is the cluster's
 * primary and forks the api processes and the workers' process, which run this file again
 * (apps/api/src/platform/boot.ts, cluster.ts); only the primary builds.
 */
const cluster = require('node:cluster');
const { join } = require('node:path');
const { buildIfStale, root } = require('./build-if-stale');

if (cluster.isPrimary) buildIfStale();
require('reflect-metadata');
const { main } = require(join(root, 'apps/api/dist/apps/api/src/platform/boot.js'));
const { startWorkers } = require(join(root, 'apps/worker/dist/apps/worker/src/workers.js'));

const workers = async ({ internalUrl, config, log }) => {
  if (!config.runWorkers) return { stop: async () => undefined };
  return startWorkers({
    baseUrl: internalUrl,
    workerToken: config.workerToken,
    smtpUrl: config.smtpUrl,
    logger: log.child({ name: 'worker' }),
  });
};

main([workers]).catch((error) => {
  process.stderr.write(`启动失败 (start failed): ${error && error.stack ? error.stack : String(error)}\n`);
  process.exit(1);
});
