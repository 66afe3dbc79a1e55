// The unmodified camunda-external-task-client-js as its own process, driving the Camunda scenarios of
// test/camunda-client.e2e-spec.ts: typed variables of every type, a BPMN error, failures counting down to an
// incident, and a message correlated through /engine-rest/message.
// Usage: node camunda-scenarios-worker.mjs <engine-rest base URL> <worker token> <scratch dir>
// Prints one line per event: `<event> <JSON>`.
import { Buffer } from 'node:buffer';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client, File, Variables, logger } from 'camunda-external-task-client-js';

const { fetch } = globalThis;

const [baseUrl, token, scratch] = process.argv.slice(2);
const say = (event, detail) => process.stdout.write(`${event} ${JSON.stringify(detail)}\n`);
const client = new Client({
  baseUrl,
  workerId: 'scenario-worker',
  asyncResponseTimeout: 2000,
  interval: 50,
  use: logger.level('error'),
  interceptors: (config) => ({ ...config, headers: { ...config.headers, Authorization: `Bearer ${token}` } }),
});
client.on('complete:error', (_task, error) => say('error', { op: 'complete', message: String(error) }));
client.on('handleFailure:error', (_task, error) => say('error', { op: 'handleFailure', message: String(error) }));
client.on('handleBpmnError:error', (_task, error) => say('error', { op: 'handleBpmnError', message: String(error) }));

const scanPath = join(scratch, '盖章件.pdf');
writeFileSync(scanPath, Buffer.from('%PDF-1.4 盖章件'));

// Writes one variable of every Camunda type (with the client's own serialisation: lower-case types, `+0000` dates).
client.subscribe('zw-client-write', async ({ task, taskService }) => {
  const scan = await new File({ localPath: scanPath, mimetype: 'application/pdf' }).load();
  const out = new Variables()
    .set('title', '关于报送计划的通知')
    .set('urgent', true)
    .setTyped('copies', { type: 'Short', value: 12, valueInfo: {} })
    .set('pages', 3)
    .setTyped('serial', { type: 'Long', value: 7, valueInfo: {} })
    .setTyped('ratio', { type: 'Double', value: 2.0, valueInfo: {} })
    .set('half', 0.5)
    .set('when', new Date('2026-11-24T00:00:00.000Z'))
    .set('meta', { by: '信息中心', tags: ['急'] })
    .setTyped('person', {
      type: 'Object',
      value: JSON.stringify({ name: '张伟' }),
      valueInfo: { objectTypeName: 'gov.zhengwu.Person', serializationDataFormat: 'application/json' },
    })
    .setTyped('seal', { type: 'Bytes', value: Buffer.from([0, 1, 254, 255]).toString('base64'), valueInfo: {} })
    .set('scan', scan)
    .set('nothing', null);
  await taskService.complete(task, out);
  say('wrote', { instance: task.processInstanceId });
});

// Reads every variable as the client deserialises it, reports what it got, and writes them all back as read.
client.subscribe('zw-client-read', async ({ task, taskService }) => {
  const typed = task.variables.getAllTyped();
  const seen = {};
  const echo = new Variables();
  for (const [name, variable] of Object.entries(typed)) {
    let value = variable.value;
    let kind = value === null ? 'null' : value instanceof Date ? 'Date' : value instanceof File ? 'File' : typeof value;
    if (value instanceof File) {
      await value.load();
      seen[name] = {
        type: variable.type,
        kind,
        filename: value.filename,
        mimeType: value.mimeType,
        content: value.content.toString('base64'),
      };
    } else {
      seen[name] = { type: variable.type, kind, value: value instanceof Date ? value.toISOString() : value };
    }
    echo.setTyped(name, variable);
  }
  say('read', { instance: task.processInstanceId, variables: seen });
  await taskService.complete(task, echo);
});

// A BPMN error with variables, caught by the task's boundary error event.
client.subscribe('zw-client-error', async ({ task, taskService }) => {
  await taskService.handleBpmnError(
    task,
    'NO_TEMPLATE',
    '缺少模板',
    new Variables().set('reason', '缺模板').set('failedAt', new Date('2026-11-25T01:02:03.000Z')),
  );
  say('bpmnError', { instance: task.processInstanceId });
});

// Fails every time, counting retries down as Camunda workers do (3 attempts, then an incident).
client.subscribe('zw-client-retry', async ({ task, taskService }) => {
  const retries = task.retries === null || task.retries === undefined ? 2 : task.retries - 1;
  await taskService.handleFailure(task, { errorMessage: '签章服务不可用', errorDetails: 'ECONNREFUSED', retries, retryTimeout: 100 });
  say('failed', { instance: task.processInstanceId, task: task.id, seen: task.retries, sent: retries });
});

// Completes, then tells the case (by its business key) that the reply came, through /engine-rest/message.
client.subscribe('zw-client-notify', async ({ task, taskService }) => {
  await taskService.complete(task);
  const res = await fetch(`${baseUrl}/message`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({
      messageName: 'reply-received',
      businessKey: task.businessKey,
      processVariables: { repliedAt: { type: 'Date', value: '2026-11-26T09:00:00.000+0800' }, score: { type: 'Double', value: 4.0 } },
      resultEnabled: true,
    }),
  });
  say('correlated', { instance: task.processInstanceId, status: res.status, body: await res.json() });
});

process.on('SIGTERM', () => {
  client.stop();
  process.exit(0);
});
