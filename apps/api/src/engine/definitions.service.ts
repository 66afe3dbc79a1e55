import { HttpStatus, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { BpmnRuntime, compileDefinition, DefinitionError, type CompiledDefinition, type DefinitionWarning } from '@zhengwu/engine';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { AppError, NotFoundError } from '../platform/errors';
import { prepared } from '../platform/prepared';
import { lintBpmn, lintFindings } from './bpmn-lint';
import { addMissingFlowIds, declareUtf8 } from './bpmn-source';
import { HolidayService } from './holiday.service';
import { PgListener } from '../platform/pg-listener';
import { DEFINITION_DEPLOYED_CHANNEL, LatestDefinitions } from './latest-definitions';
import { peopleWarnings } from './people';

export interface DefinitionRow {
  id: string;
  key: string;
  version: number;
  name: string | null;
  sha256: string;
  source: string;
  deployed_at: Date;
}

export interface DeployResult {
  id: string;
  key: string;
  version: number;
  created: boolean;
  /** What Camunda deploys and so do we, but the modeller should see: style rules, generated ids and layout. */
  warnings: DefinitionWarning[];
}

/** What a deployment of the diagram would say, per element, without deploying it (the modeler marks them on the canvas). */
export interface ValidationReport {
  ok: boolean;
  /** The process key the diagram would deploy as, when it has exactly one executable process. */
  key: string | null;
  /** Findings that refuse the deployment. */
  errors: DefinitionWarning[];
  /** What Camunda deploys and so do we, but the modeller should see. */
  warnings: DefinitionWarning[];
}

/** Diagrams deployed at start: bpmn/ of the working directory (npm start runs from the repository root). */
const bpmnDir = (): string => process.env.ZW_BPMN_DIR ?? join(process.cwd(), 'bpmn');
const MAX_XML_BYTES = 2 * 1024 * 1024;

/** Deployed diagrams, versioned by content; parsed once per version and cached (parsing per command halves throughput). */
@Injectable()
export class DefinitionsService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(DefinitionsService.name);
  private readonly compiled = new Map<string, Promise<CompiledDefinition>>();
  /** The latest version per key, for starts only (latestForStart); see LatestDefinitions for why it cannot go stale. */
  readonly latestCache: LatestDefinitions<DefinitionRow>;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly holidays: HolidayService,
    listener: PgListener,
  ) {
    this.latestCache = new LatestDefinitions<DefinitionRow>(listener);
  }

  async onModuleDestroy(): Promise<void> {
    await this.latestCache.close();
  }

  async onApplicationBootstrap(): Promise<void> {
    const dir = bpmnDir();
    if (!existsSync(dir)) return;
    for (const file of readdirSync(dir)
      .filter((f) => f.endsWith('.bpmn'))
      .sort()) {
      const result = await this.deploy(readFileSync(join(dir, file), 'utf8'), { source: `bpmn/${file}` });
      if (result.created) this.logger.log(`deployed ${result.key} v${result.version} from bpmn/${file}`);
    }
  }

  /** A new version only when the submitted content changed; running instances keep theirs. */
  async deploy(xml: string, options: { source: string; userId?: string }): Promise<DeployResult> {
    if (Buffer.byteLength(xml) > MAX_XML_BYTES) {
      throw new AppError('DEFINITION_TOO_LARGE', `流程定义不能超过 ${MAX_XML_BYTES / 1024 / 1024} MB`, HttpStatus.PAYLOAD_TOO_LARGE);
    }
    const prepared = addMissingFlowIds(declareUtf8(xml));
    xml = prepared.xml;
    const compiled = await this.compile(xml);
    const lint = await lintBpmn(xml);
    const stored = lint.xml;
    // compile.ts names the dangling layout shapes it ignored; the lint worker drops them from the stored XML.
    // People named literally that nobody is: Camunda deploys the diagram and so do we, with a warning per name.
    const warnings = [...prepared.warnings, ...compiled.warnings, ...lint.warnings, ...(await peopleWarnings(this.dataSource, compiled))];
    const processes = compiled.processes.filter((p) => p.isExecutable !== false);
    if (processes.length !== 1) {
      throw new AppError(
        'DEFINITION_INVALID',
        `一个流程文件须恰好包含一个可执行流程（实际 ${processes.length} 个）`,
        HttpStatus.BAD_REQUEST,
      );
    }
    const key = processes[0].id;
    const sha256 = createHash('sha256').update(xml).digest('hex');
    const deployed = await this.dataSource.transaction(async (m): Promise<DeployResult> => {
      await m.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`definition:${key}`]);
      const latest: { id: string; version: number; sha256: string }[] = await m.query(
        'SELECT id, version, sha256 FROM process_definitions WHERE key = $1 ORDER BY version DESC LIMIT 1',
        [key],
      );
      if (latest[0]?.sha256 === sha256) return { id: latest[0].id, key, version: latest[0].version, created: false, warnings };
      const version = (latest[0]?.version ?? 0) + 1;
      // The notice goes with the row, delivered at commit: every api process forgets the latest versions it kept.
      const rows: { id: string }[] = await m.query(
        `INSERT INTO process_definitions (key, version, name, xml, sha256, source, deployed_by) VALUES ($1,$2,$3,$4,$5,$6,$7)
         RETURNING id, pg_notify('${DEFINITION_DEPLOYED_CHANNEL}', $1)`,
        [key, version, processes[0].name ?? null, stored, sha256, options.source, options.userId ?? null],
      );
      this.compiled.set(rows[0].id, Promise.resolve(compiled));
      // Like Camunda: a new version replaces the timer starts of the old ones.
      await m.query(
        `UPDATE timers SET status = 'cancelled' WHERE status = 'pending' AND definition_id IN (SELECT id FROM process_definitions WHERE key = $1 AND id <> $2)`,
        [key, rows[0].id],
      );
      await this.scheduleStartTimers(m, rows[0].id, compiled);
      await this.audit.record(
        {
          action: 'engine.deploy',
          objectType: 'process-definition',
          objectId: rows[0].id,
          detail: { key, version, source: options.source },
        },
        m,
      );
      return { id: rows[0].id, key, version, created: true, warnings };
    });
    // This process's own next start must not wait for the notice to find the new version.
    if (deployed.created) this.latestCache.clear();
    return deployed;
  }

  /**
   * Runs every check of deploy() (parse and compile, the refusing lint rules, one executable process, timer
   * starts, people named literally) and reports all findings instead of stopping at the first; stores nothing.
   */
  async validate(xml: string): Promise<ValidationReport> {
    if (Buffer.byteLength(xml) > MAX_XML_BYTES) {
      throw new AppError('DEFINITION_TOO_LARGE', `流程定义不能超过 ${MAX_XML_BYTES / 1024 / 1024} MB`, HttpStatus.PAYLOAD_TOO_LARGE);
    }
    const prepared = addMissingFlowIds(declareUtf8(xml));
    const errors: DefinitionWarning[] = [];
    const warnings: DefinitionWarning[] = [...prepared.warnings];
    let compiled: CompiledDefinition;
    try {
      compiled = await compileDefinition(prepared.xml);
    } catch (error) {
      // Lint only what compiled: a refused document (a DTD, an entity bomb) goes no further than in deploy().
      if (!(error instanceof DefinitionError)) throw error;
      errors.push({ rule: error.code, elementId: error.elementId, message: error.message });
      return { ok: false, key: null, errors, warnings };
    }
    warnings.push(...compiled.warnings);
    const lint = await lintFindings(prepared.xml);
    errors.push(...lint.errors);
    warnings.push(...lint.warnings);
    let key: string | null = null;
    const processes = compiled.processes.filter((p) => p.isExecutable !== false);
    if (processes.length === 1) key = processes[0].id;
    else errors.push({ rule: 'DEFINITION_INVALID', message: `一个流程文件须恰好包含一个可执行流程（实际 ${processes.length} 个）` });
    const timerStarts = compiled.startEvents.filter((s) => s.kind === 'timer').map((s) => s.id);
    if (timerStarts.length > 0) {
      try {
        await new BpmnRuntime({ calendar: await this.holidays.calendar() }).nextStartTimers(compiled);
      } catch (error) {
        errors.push({
          rule: 'DEFINITION_TIMER_INVALID',
          elementId: timerStarts[0],
          message: `定时开始事件 ${timerStarts.join('、')} 的定时器无法计算：${error instanceof Error ? error.message : String(error)}`,
        });
      }
    }
    warnings.push(...(await peopleWarnings(this.dataSource, compiled)));
    return { ok: errors.length === 0, key, errors, warnings };
  }

  /** Writes the next firing of each timer start event of a version; the timer scheduler starts the case. */
  async scheduleStartTimers(m: EntityManager, definitionId: string, compiled: CompiledDefinition): Promise<void> {
    let due: { activityId: string; dueAt: string }[];
    try {
      due = await new BpmnRuntime({ calendar: await this.holidays.calendar() }).nextStartTimers(compiled);
    } catch (error) {
      // A timer the compile step could not check (an expression) that does not resolve: the diagram's fault, not ours.
      const starts = compiled.startEvents.filter((s) => s.kind === 'timer').map((s) => s.id);
      throw new AppError(
        'DEFINITION_TIMER_INVALID',
        `定时开始事件 ${starts.join('、')} 的定时器无法计算：${error instanceof Error ? error.message : String(error)}`,
        HttpStatus.BAD_REQUEST,
        { elementId: starts[0] },
      );
    }
    for (const timer of due) {
      await m.query('INSERT INTO timers (definition_id, wait_id, activity_id, due_at) VALUES ($1, $2, $2, $3)', [
        definitionId,
        timer.activityId,
        timer.dueAt,
      ]);
    }
  }

  private async compile(xml: string): Promise<CompiledDefinition> {
    try {
      return await compileDefinition(xml);
    } catch (error) {
      if (error instanceof DefinitionError) {
        throw new AppError(error.code, error.message, HttpStatus.BAD_REQUEST, {
          line: error.line,
          column: error.column,
          elementId: error.elementId,
        });
      }
      throw error;
    }
  }

  async compiledById(id: string, m?: EntityManager): Promise<CompiledDefinition> {
    let cached = this.compiled.get(id);
    if (!cached) {
      const runner = m ?? this.dataSource;
      cached = (async () => {
        const rows: { xml: string }[] = await runner.query('SELECT xml FROM process_definitions WHERE id = $1', [id]);
        if (!rows[0]) throw new NotFoundError('流程定义');
        return compileDefinition(rows[0].xml);
      })();
      this.compiled.set(id, cached);
      cached.catch(() => this.compiled.delete(id));
    }
    return cached;
  }

  async latest(key: string, m?: EntityManager): Promise<DefinitionRow> {
    // Prepared: every start asks (a case-archiving case starts with every case that ends).
    const rows = await prepared<DefinitionRow>(
      m ?? this.dataSource,
      'latest_definition',
      'SELECT id, key, version, name, sha256, source, deployed_at FROM process_definitions WHERE key = $1 ORDER BY version DESC LIMIT 1',
      [key],
    );
    if (!rows[0]) throw new AppError('DEFINITION_NOT_FOUND', `流程 ${key} 尚未部署`, HttpStatus.NOT_FOUND);
    return rows[0];
  }

  /**
   * The latest version for a start: kept per key while this process listens for deployments (LatestDefinitions). A start
   * must still refuse to run a version older than the latest committed one (EngineService.startIn does, in its INSERT)
   * and call forgetLatest when it was.
   */
  async latestForStart(key: string, m?: EntityManager): Promise<DefinitionRow> {
    const kept = this.latestCache.get(key);
    if (kept) return kept;
    const ticket = this.latestCache.ticket();
    const row = await this.latest(key, m);
    this.latestCache.put(key, row, ticket);
    return row;
  }

  /** A start found a newer version than the one kept: nothing kept is trusted any more. */
  forgetLatest(): void {
    this.latestCache.clear();
  }

  async list(): Promise<(DefinitionRow & { running: number })[]> {
    return this.dataSource.query(
      `SELECT d.id, d.key, d.version, d.name, d.sha256, d.source, d.deployed_at,
              (SELECT count(*)::int FROM process_instances i WHERE i.definition_id = d.id AND i.status = 'running') AS running
         FROM process_definitions d ORDER BY d.key, d.version DESC`,
    );
  }

  async xml(key: string, version?: number): Promise<{ xml: string; version: number }> {
    const rows: { xml: string; version: number }[] = version
      ? await this.dataSource.query('SELECT xml, version FROM process_definitions WHERE key = $1 AND version = $2', [key, version])
      : await this.dataSource.query('SELECT xml, version FROM process_definitions WHERE key = $1 ORDER BY version DESC LIMIT 1', [key]);
    if (!rows[0]) throw new NotFoundError('流程定义');
    return rows[0];
  }
}
