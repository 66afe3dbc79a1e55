import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { createHttpApp } from '../platform/http-app';
import { createTestApp, type TestApp } from '../../../../test/support/test-app';
import { DefinitionsService, type DefinitionRow } from './definitions.service';

/** A one-step process; `field` is what its start form (camunda:formData) accepts, `step` names its task. */
function diagram(key: string, step: string, field?: string): string {
  const form = field
    ? `<extensionElements><camunda:formData><camunda:formField id="${field}" label="${field}" type="string" /></camunda:formData></extensionElements>`
    : '';
  return `<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="t">
  <process id="${key}" isExecutable="true">
    <startEvent id="s" name="开始">${form}</startEvent>
    <sequenceFlow id="f1" sourceRef="s" targetRef="${step}" />
    <userTask id="${step}" name="${step}" camunda:candidateGroups="sysadmin" />
    <sequenceFlow id="f2" sourceRef="${step}" targetRef="e" />
    <endEvent id="e" name="结束" />
  </process>
</definitions>`;
}

/**
 * The latest version per key, kept by each api process for its starts (engine/latest-definitions.ts), with two api
 * processes (two applications) on one database: a version deployed on one is the version the other starts next,
 * whether or not the deployment's notice has reached it yet.
 */
describe('engine: the latest version kept for starts is never an old one (two apps, real PostgreSQL)', () => {
  let a: TestApp;
  let b: INestApplication;
  let bDefinitions: DefinitionsService;
  let admin: string;
  /** Reads of the latest version from the database by app b. */
  let reads = 0;

  const deployOnA = async (xml: string) => {
    const res = await a
      .http()
      .post('/api/process-definitions')
      .set('Authorization', `Bearer ${admin}`)
      .set('Content-Type', 'application/xml')
      .send(xml);
    expect([res.status, res.body.created]).toEqual([201, true]);
    return res.body as { id: string; version: number };
  };
  const startOnB = (key: string, variables: Record<string, unknown> = {}) =>
    request(b.getHttpServer()).post('/api/process-instances').set('Authorization', `Bearer ${admin}`).send({ key, variables });
  const versionOf = async (instanceId: string) =>
    (
      (await a.db.dataSource.query(
        `SELECT d.version FROM process_instances i JOIN process_definitions d ON d.id = i.definition_id WHERE i.id = $1`,
        [instanceId],
      )) as { version: number }[]
    )[0].version;
  /** What app b would keep if the deployment's notice had not reached it yet: `row` is put back as the latest. */
  const noticeStillOnItsWay = (key: string, row: DefinitionRow) => {
    bDefinitions.latestCache.put(key, row, bDefinitions.latestCache.ticket());
    expect(bDefinitions.latestCache.size).toBeGreaterThan(0);
  };

  beforeAll(async () => {
    a = await createTestApp();
    b = await createHttpApp(a.config, a.db.url);
    await b.init();
    bDefinitions = b.get(DefinitionsService);
    expect(await bDefinitions.latestCache.start()).toBe(true);
    admin = await a.login('admin');
    const latest = bDefinitions.latest.bind(bDefinitions);
    jest.spyOn(bDefinitions, 'latest').mockImplementation((key, m) => {
      reads += 1;
      return latest(key, m);
    });
  });
  afterAll(async () => {
    await b.close();
    await a.close();
  });

  it('reads the latest version once for a run of starts while nothing is deployed', async () => {
    await deployOnA(diagram('cache-burst', 'step1'));
    const before = reads;
    for (let i = 0; i < 3; i++) expect((await startOnB('cache-burst')).status).toBe(201);
    expect(reads - before).toBe(1);
  });

  it('a version deployed on another app is the one started next, even before its notice arrives', async () => {
    await deployOnA(diagram('cache-deploy', 'step1'));
    const first = await startOnB('cache-deploy');
    expect(first.status).toBe(201);
    const v1 = (await bDefinitions.latestForStart('cache-deploy')) as DefinitionRow;
    expect(v1.version).toBe(1);
    const noticed = bDefinitions.latestCache.nextChange();
    await deployOnA(diagram('cache-deploy', 'step2'));
    await noticed;
    expect(bDefinitions.latestCache.size).toBe(0);
    noticeStillOnItsWay('cache-deploy', v1);
    const second = await startOnB('cache-deploy');
    expect(second.status).toBe(201);
    expect(await versionOf(second.body.id)).toBe(2);
    // Its task is the new version's step, and the old version was forgotten on the way.
    const tasks: { activity_id: string }[] = await a.db.dataSource.query(`SELECT activity_id FROM tasks WHERE instance_id = $1`, [
      second.body.id,
    ]);
    expect(tasks.map((t) => t.activity_id)).toEqual(['step2']);
    expect((await bDefinitions.latestForStart('cache-deploy')).version).toBe(2);
  });

  it('checks the start variables against the form of the version it starts, when a newer one came between', async () => {
    await deployOnA(diagram('cache-form', 'step1', 'oldField'));
    expect((await startOnB('cache-form', { oldField: 'x' })).status).toBe(201);
    const v1 = await bDefinitions.latestForStart('cache-form');
    const noticed = bDefinitions.latestCache.nextChange();
    await deployOnA(diagram('cache-form', 'step1', 'newField'));
    await noticed;
    noticeStillOnItsWay('cache-form', v1);
    const started = await startOnB('cache-form', { newField: 'y' });
    expect(started.status).toBe(201);
    expect(await versionOf(started.body.id)).toBe(2);
    noticeStillOnItsWay('cache-form', v1);
    const refused = await startOnB('cache-form', { oldField: 'x' });
    expect([refused.status, refused.body.code]).toEqual([400, 'VARIABLES_NOT_ALLOWED']);
  });

  it('keeps nothing while it cannot listen: every start reads the latest version', async () => {
    await deployOnA(diagram('cache-deaf', 'step1'));
    expect((await startOnB('cache-deaf')).status).toBe(201);
    await a.db.dataSource.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'zw-listener' AND datname = current_database()`,
    );
    // The connection's end reaches the cache asynchronously.
    while (bDefinitions.latestCache.active) await new Promise((resolve) => setImmediate(resolve));
    expect(bDefinitions.latestCache.size).toBe(0);
    // It listens again a second later; a start that finds it deaf reads the latest version (twice: form and start).
    const before = reads;
    const deaf = !bDefinitions.latestCache.active;
    expect((await startOnB('cache-deaf')).status).toBe(201);
    expect(deaf).toBe(true);
    expect(reads - before).toBe(2);
  });
});
