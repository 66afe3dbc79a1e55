'use strict';
// temporary: profile the api under the 8-client HTTP loop, count statements per command
const { spawn } = require('node:child_process');
const { Session } = require('node:inspector/promises');
const { join } = require('node:path');
const s = require('./support');
const pg = require('pg');
const counts = new Map();
let counting = false;
const orig = pg.Client.prototype.query;
pg.Client.prototype.query = function (cfg, ...rest) {
  if (counting) {
    const text = typeof cfg === 'string' ? cfg : cfg.text;
    const key = String(text).replace(/\s+/g, ' ').slice(0, 110);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return orig.call(this, cfg, ...rest);
};
function httpRun(options) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(__dirname, 'engine.bench.js'), '--http-client', JSON.stringify(options)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('exit', (code) => (code ? reject(new Error('client ' + code)) : resolve(JSON.parse(out.trim().split('\n').pop()))));
  });
}
s.run(async () => {
  const stack = await s.bootPlatform('prof', { API_PROCESSES: '1' });
  const { ds } = stack;
  const [xutao] = await ds.query(`SELECT id FROM users WHERE username = 'xutao'`);
  await ds.query(`INSERT INTO user_roles (user_id, role) VALUES ($1, 'sysadmin') ON CONFLICT DO NOTHING`, [xutao.id]);
  const token = await s.login(stack.url, 'xutao');
  const opts = (clients, seconds) => ({ url: stack.url, token, databaseUrl: stack.pg.url, clients, seconds, drafter: xutao.id });
  await httpRun(opts(8, 3));
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  counting = true;
  const cpu0 = process.cpuUsage();
  const meter = s.cpuMeter(stack.pg.postmasterPid);
  const r = await httpRun(opts(Number(process.env.CLIENTS ?? 8), 8));
  const cpu = process.cpuUsage(cpu0);
  const m = meter();
  counting = false;
  const { profile } = await session.post('Profiler.stop');
  require('fs').writeFileSync('/tmp/http.cpuprofile', JSON.stringify(profile));
  const commands = r.cases * 4;
  console.log(JSON.stringify(r), 'cpu', m);
  console.log('node cpu ms/command', ((cpu.user + cpu.system) / 1000 / commands).toFixed(2), 'sys', (cpu.system / 1000 / commands).toFixed(2));
  let total = 0;
  for (const v of counts.values()) total += v;
  console.log('statements/command (api process)', (total / commands).toFixed(2));
  for (const [k, v] of [...counts].sort((a, b) => b[1] - a[1]).slice(0, 40)) console.log((v / r.cases).toFixed(2), k);
  // self time by function
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  for (let i = 0; i < profile.samples.length; i++) self.set(profile.samples[i], (self.get(profile.samples[i]) ?? 0) + (profile.timeDeltas[i + 1] ?? 0));
  const byFrame = new Map(), byMod = new Map();
  let all = 0;
  for (const [id, us] of self) {
    const cf = nodes.get(id).callFrame;
    all += us;
    const u = cf.url.replace(/^file:\/\//, '');
    const nm = u.lastIndexOf('node_modules/');
    const mod = nm >= 0 ? u.slice(nm + 13).split('/').slice(0, u.slice(nm + 13).startsWith('@') ? 2 : 1).join('/') : u.includes('/dist/') ? u.split('/dist/')[1].split('/').slice(0, 5).join('/') : u || cf.functionName;
    const f = `${cf.functionName || '(anon)'} ${u.split('/').slice(-2).join('/')}:${cf.lineNumber + 1}`;
    byFrame.set(f, (byFrame.get(f) ?? 0) + us);
    byMod.set(mod, (byMod.get(mod) ?? 0) + us);
  }
  const top = (m, n) => [...m].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, v]) => `${(v / 1000).toFixed(0).padStart(6)} ms ${((v / all) * 100).toFixed(1).padStart(5)}% ${k}`).join('\n');
  console.log(top(byMod, 25));
  console.log(top(byFrame, 40));
  await stack.stop();
});
