'use strict';
/**
 * Builds what is missing or stale. `tsc -b` is incremental: on an up-to-date tree it only compares
 * timestamps, so `npm start` can call it every time.
 */
const { spawnSync } = require('node:child_process');
const { join } = require('node:path');

const root = join(__dirname, '..');

function buildIfStale() {
  const tsc = require.resolve('typescript/bin/tsc');
  const result = spawnSync(process.execPath, [tsc, '-b', 'apps/api/tsconfig.build.json', 'apps/worker/tsconfig.build.json'], {
    cwd: root,
    stdio: 'inherit',
  });
  if (result.status !== 0) {
    process.stderr.write('构建失败 (build failed): see the TypeScript errors above.\n');
    process.exit(result.status ?? 1);
  }
}

module.exports = { buildIfStale, root };
