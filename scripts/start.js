#!/usr/bin/env node
'use strict';
/**
 * `npm start`: build whatever is stale, then run the whole platform — api and workers. With
 * API_PROCESSES above 1 (the default on a machine with several cores) this process is the cluster's
 * primary and forks the api processes and the workers' process, which run this file again
 * (apps/api/src/platform/boot.ts, cluster.ts); only the primary builds.
 *
 * Stopping: Ctrl-C reaches every process of the terminal's group; `kill -INT` or `kill -TERM` of the
 * `npm start` process reaches this one because the npm script `exec`s node (npm forwards the signal
 * to its child, and without `exec` that child would be a `sh -c` that keeps SIGINT to itself). If npm
 * goes away without telling us (killed with SIGKILL), the primary notices its parent changed and
 * stops in order all the same.
 */
const cluster = require('node:cluster');
const { join } = require('node:path');
const { setInterval } = require('node:timers');
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

/** Under npm (npm_lifecycle_event set): when npm is gone, stop as on SIGTERM (boot.ts stops the parts in order). */
function stopWhenNpmGoes() {
  if (!cluster.isPrimary || !process.env.npm_lifecycle_event) return;
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) process.kill(process.pid, 'SIGTERM');
  }, 1000).unref();
}

stopWhenNpmGoes();
main([workers]).catch((error) => {
  // A start the operator must fix (a directory PostgreSQL cannot reach) is said plainly, without a stack.
  const text = error && error.name === 'StartError' ? error.message : error && error.stack ? error.stack : String(error);
  process.stderr.write(`启动失败 (start failed): ${text}\n`);
  process.exit(1);
});
