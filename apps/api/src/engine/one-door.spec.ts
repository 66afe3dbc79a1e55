import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * Feature: one door to the engine (ADR 0005).
 * Outside apps/api/src/engine, code reaches execution only through the port: it names no engine relation in SQL and
 * imports none of the adapter's classes. It may read the port's read model (`tasks`, `cases`). Tests are exempt:
 * they drive and inspect the adapter on purpose.
 */
const API_SRC = join(__dirname, '..');
const ENGINE_DIR = join(API_SRC, 'engine');

/** The adapter's own relations. A new one joins this list in the migration's commit. */
const ENGINE_RELATIONS = [
  'process_instances',
  'process_definitions',
  'engine_history',
  'external_tasks',
  'incidents',
  'timers',
  'message_subscriptions',
];
/** The adapter's execution classes (the calendar and the worker-token guard are not the engine's door). */
const ADAPTER_CLASSES = ['EngineService', 'DefinitionsService', 'ExternalTaskService', 'TimerScheduler'];
const ADAPTER_MODULES = ['engine.service', 'definitions.service', 'external-task.service', 'timer.scheduler'];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return path === ENGINE_DIR ? [] : sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') ? [path] : [];
  });
}

/** Comments may talk about timers and incidents; only code counts. */
function withoutComments(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1');
}

/** What a file does that only the adapter may do, one line per finding. */
export function doorViolations(file: string, source: string): string[] {
  const code = withoutComments(source);
  const found: string[] = [];
  for (const relation of ENGINE_RELATIONS) {
    if (new RegExp(`\\b${relation}\\b`).test(code)) found.push(`${file}: names the engine relation ${relation}`);
  }
  for (const name of ADAPTER_CLASSES) {
    if (new RegExp(`\\b${name}\\b`).test(code)) found.push(`${file}: uses ${name} (inject ENGINE_PORT instead)`);
  }
  for (const module of ADAPTER_MODULES) {
    if (new RegExp(`from '[^']*engine/${module.replace('.', '\\.')}'`).test(code)) found.push(`${file}: imports engine/${module}`);
  }
  return found;
}

describe('Feature: features reach the engine only through its port', () => {
  it('Scenario: no file outside apps/api/src/engine names an engine relation or uses the adapter’s classes', () => {
    const files = sourceFiles(API_SRC);
    // The scan itself must see the features (a wrong path would pass vacuously).
    expect(files.map((f) => relative(API_SRC, f))).toEqual(
      expect.arrayContaining(['tasks/tasks.service.ts', 'archive/archive.service.ts']),
    );
    const violations = files.flatMap((file) => doorViolations(relative(API_SRC, file), readFileSync(file, 'utf8')));
    expect(violations).toEqual([]);
  });

  it('Scenario: the scan catches a query on an engine table, a class import, and ignores comments and the read model', () => {
    const feature = [
      `import { EngineService } from '../engine/engine.service';`,
      '// the scheduler fires timers; process_instances is the adapter’s',
      'const a = `SELECT 1 FROM process_instances WHERE id = $1 FOR UPDATE`;',
      'const b = `SELECT t.id FROM tasks t JOIN cases i ON i.id = t.instance_id`;',
      "const c = 'UPDATE timers SET due_at = now()';",
    ].join('\n');
    expect(doorViolations('x.ts', feature)).toEqual([
      'x.ts: names the engine relation process_instances',
      'x.ts: names the engine relation timers',
      'x.ts: uses EngineService (inject ENGINE_PORT instead)',
      'x.ts: imports engine/engine.service',
    ]);
    expect(doorViolations('y.ts', 'const b = `SELECT t.id FROM tasks t JOIN cases i ON i.id = t.instance_id`; // timers')).toEqual([]);
  });
});
