#!/usr/bin/env node
'use strict';
/**
 * One build step with a sign of life, for build-if-stale.js (which waits for it synchronously and so
 * cannot print anything itself while it runs):
 *
 *   node scripts/build-step.js <what> <cwd> <announce:yes|no> <script> [args…]
 *
 * Says when the step starts (at once with announce, else only once it has taken 5 s: an up-to-date
 * `tsc -b` is quiet), every 15 s how long it has run — unless the step draws its own progress on a
 * terminal (Angular's spinner) — and how long it took. When the process that started it goes away
 * (Ctrl-C ended `npm start` while it waited), it stops the step instead of building on for nobody.
 */
const { spawn } = require('node:child_process');
const { setInterval, clearInterval, setTimeout } = require('node:timers');

const [what, cwd, announce, script, ...args] = process.argv.slice(2);
const started = Date.now();
const seconds = () => Math.round((Date.now() - started) / 1000);
const say = (line) => process.stdout.write(`[build] ${line}\n`);
let announced = false;
const announceOnce = () => {
  if (announced) return;
  announced = true;
  say(`正在构建 building ${what}…`);
};
if (announce === 'yes') announceOnce();
else setTimeout(announceOnce, 5000).unref();

const child = spawn(process.execPath, [script, ...args], { cwd, stdio: 'inherit' });
// On a terminal Angular shows its own progress; in a log (CI, systemd, a pipe) nothing would show for minutes.
const drawsOwnProgress = announce === 'yes' && process.stdout.isTTY;
const ticker = drawsOwnProgress
  ? undefined
  : setInterval(() => {
      announceOnce();
      say(`${what}: 已用时 still building, ${seconds()} s`);
    }, 15_000);
const parent = process.ppid;
const watch = setInterval(() => {
  if (process.ppid !== parent) child.kill('SIGTERM');
}, 1000);

child.on('exit', (code, signal) => {
  clearInterval(ticker);
  clearInterval(watch);
  if (code === 0 && announced) say(`${what}: 完成 built in ${seconds()} s`);
  process.exit(code ?? (signal ? 1 : 0));
});
