// An unmodified camunda-external-task-client-js worker, run as its own process against the API.
// Usage: node camunda-worker.mjs <engine-rest base URL> <worker token> <topic>
import { Client, Variables, logger } from 'camunda-external-task-client-js';

const [baseUrl, token, topic] = process.argv.slice(2);
const client = new Client({
  baseUrl,
  workerId: 'test-worker',
  asyncResponseTimeout: 2000,
  interval: 50,
  use: logger.level('error'),
  interceptors: (config) => ({ ...config, headers: { ...config.headers, Authorization: `Bearer ${token}` } }),
});

client.subscribe(topic, async ({ task, taskService }) => {
  const mode = task.variables.get('mode');
  if (mode === 'ok') {
    const out = new Variables()
      .set('pages', 3)
      .set('signed', true)
      .set('meta', { by: '信息中心' })
      .set('when', new Date('2026-11-24T00:00:00Z'));
    await taskService.complete(task, out);
  } else if (mode === 'fail') {
    await taskService.handleFailure(task, { errorMessage: '模板服务不可用', errorDetails: 'ECONNREFUSED', retries: 0, retryTimeout: 0 });
  } else {
    await taskService.handleBpmnError(task, 'NO_TEMPLATE', '缺少模板', new Variables().set('reason', '缺模板'));
  }
  process.stdout.write(`handled ${mode}\n`);
});
process.on('SIGTERM', () => {
  client.stop();
  process.exit(0);
});
