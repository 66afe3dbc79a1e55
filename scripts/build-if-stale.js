'use strict';
/**
 * Builds what is missing or stale. `tsc -b` is incremental: on an up-to-date tree it only compares
 * timestamps. The web build is not incremental, so it runs only when a source is newer than the
 * built index.html.
 */
const { spawnSync } = require('node:child_process');
const { existsSync, readdirSync, statSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
const web = join(root, 'apps', 'web');

/** Runs one step through build-step.js, which prints its progress; ends this process when it fails. */
function run(what, cwd, announce, script, args) {
  const step = [join(__dirname, 'build-step.js'), what, cwd, announce ? 'yes' : 'no', script, ...args];
  const result = spawnSync(process.execPath, step, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    process.stderr.write(`构建失败 (build failed): ${what}; see the errors above.\n`);
    process.exit(result.status ?? 1);
  }
}

function newest(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(path).reduce((max, name) => Math.max(max, newest(join(path, name))), stat.mtimeMs);
}

function webIsStale() {
  const index = join(web, 'dist', 'web', 'browser', 'index.html');
  if (!existsSync(index)) return true;
  const sources = [join(web, 'src'), join(web, 'angular.json'), join(web, 'package.json'), join(root, 'libs', 'contracts', 'src')];
  return sources.some((source) => newest(source) > statSync(index).mtimeMs);
}

function buildIfStale() {
  const tsc = require.resolve('typescript/bin/tsc');
  run('api 与 workers (the api and workers)', root, false, tsc, ['-b', 'apps/api/tsconfig.build.json', 'apps/worker/tsconfig.build.json']);
  // The first web build takes minutes on a small machine, later ones about half a minute.
  if (webIsStale()) run('网页应用 (the web application)', web, true, require.resolve('@angular/cli/bin/ng.js'), ['build']);
}

module.exports = { buildIfStale, root };
