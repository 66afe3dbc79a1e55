import { existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EXTERNAL_TASK_CHANNEL } from '../../apps/api/src/engine/engine.service';
import { createTestApp, type TestApp } from '../support/test-app';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-process';
import { call, deploy, FLOW_XML, login, reliability, removeDir, tempDir, waitFor } from './support';

const TOKEN = 'fault-archive-worker-token-0123456789';

interface ArchiveTask {
  id: string;
  caseId: string;
  retries: number | null;
  status: string;
  error_message: string | null;
}

/**
 * Fault 5: the archive store cannot be written. ARCHIVE_DIR lies under a regular file, so mkdir fails
 * with ENOTDIR even for root (who ignores chmod 000). Ended cases wait at their 归档 step: the real
 * worker reports each failure with fewer retries left, the last one raises an incident the
 * administrator sees, and nothing is half-written. Once the directory can be made, the case whose
 * retries remain is archived at its next attempt, and the one with an incident after the
 * administrator grants retries. No case is lost.
 *
 * The worker waits 60 s between attempts (ARCHIVE_RETRY_TIMEOUT_MS); the test moves each scheduled
 * retry to now instead of waiting, which is the only shortcut taken.
 */
describe('fault: archive directory unwritable', () => {
  let t: TestApp | undefined;
  let workers: WorkerProcess | undefined;
  let dir: string | undefined;

  afterAll(async () => {
    await workers?.stop();
    await t?.close();
    removeDir(dir);
  });

  it('reports an incident, retries, and archives the case once the directory is fixed', async () => {
    dir = tempDir('zhengwu-fault-archive-');
    const blocker = join(dir, 'store');
    writeFileSync(blocker, 'a file where the archive volume should be mounted\n');
    const archiveDir = join(blocker, 'archive');
    t = await createTestApp({ WORKER_TOKEN: TOKEN, ARCHIVE_DIR: archiveDir });
    await t.app.listen(0, '127.0.0.1');
    const base = `http://127.0.0.1:${(t.app.getHttpServer().address() as { port: number }).port}`;
    workers = await startWorkerProcess(base, TOKEN);
    const admin = await login(base, 'admin');
    await deploy(base, admin.token, FLOW_XML);
    const q = t.db.dataSource;

    // Two cases run to their end through the inbox; each end starts its archiving.
    const cases: string[] = [];
    for (let i = 0; i < 2; i += 1) {
      const res = await call<{ id: string }>(`${base}/api/process-instances`, {
        token: admin.token,
        body: { key: 'fault-flow', businessKey: `archive-${i}`, variables: { assignee: admin.userId, title: `归档故障演练${i}` } },
      });
      expect(res.status).toBe(201);
      cases.push(res.body.id);
    }
    for (let step = 0; step < 2; step += 1) {
      const open: { id: string }[] = await q.query(`SELECT id FROM tasks WHERE instance_id = ANY($1) AND status = 'open'`, [cases]);
      expect(open).toHaveLength(2);
      for (const task of open) {
        const res = await call(`${base}/api/tasks/${task.id}/actions`, {
          token: admin.token,
          body: { action: 'approve', comment: '同意' },
        });
        expect(res.status).toBe(200);
      }
    }
    const tasks = async (): Promise<ArchiveTask[]> =>
      q.query(
        `SELECT e.id, a.business_key AS "caseId", e.retries, e.status, e.error_message FROM external_tasks e
           JOIN process_instances a ON a.id = e.instance_id
          WHERE e.topic = 'archive' AND a.definition_key = 'case-archiving' AND a.business_key = ANY($1) ORDER BY a.business_key = $2 DESC`,
        [cases, cases[0]],
      );
    const retryNow = async (id: string): Promise<void> => {
      await q.query(`UPDATE external_tasks SET next_fetch_at = now() WHERE id = $1`, [id]);
      await q.query(`SELECT pg_notify($1, '')`, [EXTERNAL_TASK_CHANNEL]);
    };
    const brokenAt = Date.now();
    // First attempt of each: refused by the store, reported with retries left.
    await waitFor('the first failed attempts', async () => (await tasks()).every((x) => x.retries === 4), 30_000);
    const [a, b] = await tasks();
    expect(a.error_message).toContain('ENOTDIR');

    // Case A: every scheduled retry comes due and fails, until none remain and an incident is raised.
    let attempts = 1;
    for (let left = 3; left >= 0; left -= 1) {
      await retryNow(a.id);
      await waitFor(`retry of case A down to ${left}`, async () => (await tasks())[0].retries === left, 20_000);
      attempts += 1;
    }
    const incidents = await call<{ externalTaskId: string; incidentMessage: string; processInstanceId: string }[]>(
      `${base}/api/incidents`,
      {
        token: admin.token,
      },
    );
    expect(incidents.status).toBe(200);
    const incident = incidents.body.find((i) => i.externalTaskId === a.id);
    // While the store is broken: both cases ended and kept, archiving waits, nothing half-written.
    const [kept]: { ended: number; waiting: number; packages: number }[] = await q.query(
      `SELECT (SELECT count(*) FROM process_instances WHERE id = ANY($1::uuid[]) AND status = 'completed')::int AS ended,
              (SELECT count(*) FROM process_instances WHERE definition_key = 'case-archiving' AND business_key = ANY($1::text[]) AND status = 'running')::int AS waiting,
              (SELECT count(*) FROM archive_packages WHERE instance_id = ANY($1::uuid[]))::int AS packages`,
      [cases],
    );

    // The volume is back: the directory can be made now.
    rmSync(blocker);
    const fixedAt = Date.now();
    // Case B still had retries: its next scheduled attempt archives it, no one intervenes.
    await retryNow(b.id);
    // Case A had an incident: the administrator grants a retry, which resolves it.
    const granted = await call(`${base}/api/external-tasks/${a.id}/retries`, { method: 'PUT', token: admin.token, body: { retries: 1 } });
    const archived: { instance_id: string; archive_number: string; item_no: number; last_check_ok: boolean }[] = await waitFor(
      'both cases archived',
      async () => {
        const rows: { instance_id: string; archive_number: string; item_no: number; last_check_ok: boolean }[] = await q.query(
          `SELECT instance_id, archive_number, item_no, last_check_ok FROM archive_packages WHERE instance_id = ANY($1)`,
          [cases],
        );
        const done = (await tasks()).every((x) => x.status === 'completed');
        return rows.length === cases.length && done ? rows : undefined;
      },
      30_000,
      100,
    );
    const archivedAfterFixMs = Date.now() - fixedAt;
    const after = await call<unknown[]>(`${base}/api/incidents`, { token: admin.token });
    const stored = readdirSync(archiveDir);
    const [archivingCases]: { completed: number }[] = await q.query(
      `SELECT count(*)::int AS completed FROM process_instances WHERE definition_key = 'case-archiving' AND business_key = ANY($1) AND status = 'completed'`,
      [cases],
    );

    reliability('archive-unwritable', {
      fault: 'ARCHIVE_DIR-under-a-file-ENOTDIR',
      failedAttemptsCaseA: attempts,
      incidentRaised: !!incident,
      incidentsOpenAfterFix: after.body.length,
      casesEndedAndKept: kept.ended,
      archivingWaiting: kept.waiting,
      packagesWhileBroken: kept.packages,
      brokenForMs: fixedAt - brokenAt,
      archivedAfterFixMs,
      casesArchived: archived.length,
      ingestChecksOk: archived.filter((r) => r.last_check_ok).length,
      lost: cases.length - archived.length,
      archiveNumbers: archived.map((r) => r.archive_number).join(','),
    });
    expect(incident?.incidentMessage).toContain('归档失败');
    expect(incident?.processInstanceId).toBeDefined();
    expect(kept).toEqual({ ended: 2, waiting: 2, packages: 0 });
    expect(granted.status).toBe(204);
    expect(archived.map((r) => r.last_check_ok)).toEqual([true, true]);
    // The failed attempts rolled back their 档号: the numbers stay gap-free.
    expect(archived.map((r) => r.item_no).sort()).toEqual([1, 2]);
    expect(stored.filter((name) => name.startsWith('.tmp-'))).toEqual([]);
    for (const row of archived) expect(existsSync(join(archiveDir, row.archive_number, 'manifest.json'))).toBe(true);
    expect(after.body).toEqual([]);
    expect(archivingCases.completed).toBe(2);
  });
});
