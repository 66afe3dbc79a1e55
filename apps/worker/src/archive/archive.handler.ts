import { Variables, type Handler } from 'camunda-external-task-client-js';
import type { Logger } from 'pino';
import { ApiClient, retryTransient } from '../api-client';

export const ARCHIVE_TOPIC = 'archive';
/** Attempts before the task becomes an incident, and the wait between them. */
export const ARCHIVE_RETRIES = 5;
export const ARCHIVE_RETRY_TIMEOUT_MS = 60_000;

export interface ArchiveHandlerOptions {
  /** The api's base URL, e.g. http://127.0.0.1:3000 (without /api). */
  baseUrl: string;
  workerToken: string;
  logger?: Pick<Logger, 'info' | 'warn'>;
}

/**
 * 归档: asks the api to build the case's archival package (POST /api/worker/archive/:instanceId,
 * idempotent) and completes the task with the 档号 as `archiveNumber`. A failure (archive store
 * unwritable, api down) is reported with decreasing retries, so the case waits and an incident
 * appears when they run out; nothing is lost, the package is built on a later attempt.
 */
export function archiveHandler(options: ArchiveHandlerOptions): Handler {
  const api = new ApiClient(options.baseUrl.replace(/\/$/, ''), options.workerToken);
  return async ({ task, taskService }) => {
    // A case-archiving case names the ended case; a diagram's own 归档 step archives its own case.
    const instanceId = String(task.variables.get('caseInstanceId') ?? task.processInstanceId);
    let archiveNumber: string;
    try {
      // Idempotent, so a call cut off by an api process that went away is simply sent again.
      const pkg = await retryTransient(() =>
        api.json<{ id: string; archiveNumber: string; created: boolean }>('POST', `/api/worker/archive/${instanceId}`),
      );
      archiveNumber = pkg.archiveNumber;
      options.logger?.info({ instanceId, archiveNumber, created: pkg.created }, 'case archived');
    } catch (error) {
      const retries = Math.max(0, (task.retries ?? ARCHIVE_RETRIES) - 1);
      options.logger?.warn({ instanceId, err: error, retries }, 'archiving failed');
      await taskService.handleFailure(task, {
        errorMessage: `归档失败：${error instanceof Error ? error.message : String(error)}`,
        errorDetails: error instanceof Error ? (error.stack ?? error.message) : String(error),
        retries,
        retryTimeout: ARCHIVE_RETRY_TIMEOUT_MS,
      });
      return;
    }
    // Not waited out, a lost complete would hold the case until the lock expires and archive it again.
    await retryTransient(() => taskService.complete(task, new Variables().set('archiveNumber', archiveNumber)));
  };
}
