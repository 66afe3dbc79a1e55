// An unmodified camunda-external-task-client-js worker as its own process, for the fault tests.
// Usage: node camunda-worker.mjs <engine-rest URL> <worker token> <topic> <workerId> <hold|complete> <lockDuration ms>
// hold: locks tasks and never finishes them (a worker about to be killed); complete: completes each task.
// Prints `locked <taskId>` for each task it receives and `completed <taskId>` for each completion acknowledged.
import { Client, logger } from 'camunda-external-task-client-js';

const [baseUrl, token, topic, workerId, mode, lockDuration] = process.argv.slice(2);
const client = new Client({
  baseUrl,
  workerId,
  maxTasks: 10,
  lockDuration: Number(lockDuration),
  asyncResponseTimeout: 2000,
  interval: 50,
  use: logger.level('error'),
  interceptors: (config) => ({ ...config, headers: { ...config.headers, Authorization: `Bearer ${token}` } }),
});

client.subscribe(topic, async ({ task, taskService }) => {
  process.stdout.write(`locked ${task.id}\n`);
  if (mode === 'hold') return new Promise(() => undefined);
  await taskService.complete(task);
  process.stdout.write(`completed ${task.id}\n`);
});
process.on('SIGTERM', () => {
  client.stop();
  process.exit(0);
});
