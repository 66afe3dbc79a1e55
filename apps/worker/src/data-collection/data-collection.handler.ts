import { Variables, type Handler } from 'camunda-external-task-client-js';
import type { Logger } from 'pino';
import { ApiClient, ApiError, retryTransient } from '../api-client';
import { checkSubmission, factsOf, type CheckInput, type FileFacts } from './data-collection-check';

export const DATA_COLLECTION_CHECK_TOPIC = 'data-collection-check';

export interface DataCollectionHandlerOptions {
  baseUrl: string;
  workerToken: string;
  logger: Pick<Logger, 'info' | 'warn'>;
}

/**
 * 自动检查 of a 基础数据汇交 submission: reads the submission and streams its file from the api, checks readability,
 * format and size as listed, the digest recorded at upload, the required metadata and the 行政区划代码 against the
 * unit, and completes with `checkPassed` and `checkReason` (every problem, in Chinese). A file that fails is an
 * answer, not a failure; only the api being unreachable is retried.
 */
export function dataCollectionHandler(options: DataCollectionHandlerOptions): Handler {
  const baseUrl = options.baseUrl.replace(/\/$/, '');
  const api = new ApiClient(baseUrl, options.workerToken);
  return async ({ task, taskService }) => {
    const id = String(task.variables.get('submissionId') ?? task.businessKey ?? '');
    try {
      const input = await api.json<CheckInput>('GET', `/api/worker/data-collection/submissions/${id}`);
      let facts: FileFacts | null = null;
      if (input.hasFile) {
        const response = await fetch(`${baseUrl}/api/worker/data-collection/submissions/${id}/file`, {
          headers: { Authorization: `Bearer ${options.workerToken}` },
        });
        if (response.ok && response.body) facts = await factsOf(response.body as unknown as AsyncIterable<Uint8Array>);
        else if (response.status >= 500) throw new ApiError(response.status, 'HTTP_ERROR', `读取文件失败（${response.status}）`);
      }
      const problems = checkSubmission(input, facts);
      const passed = problems.length === 0;
      const reason = passed
        ? `自动检查通过：${input.format} 格式，${facts!.size} 字节，SHA-256 ${facts!.sha256.slice(0, 16)}… 与登记一致，元数据齐全，行政区划代码 ${input.areaCode} 与单位一致`
        : problems.join('；');
      await retryTransient(() => taskService.complete(task, new Variables().set('checkPassed', passed).set('checkReason', reason)));
      options.logger.info({ submissionId: id, passed }, 'data collection submission checked');
    } catch (error) {
      const retries = Math.max(0, (task.retries ?? 5) - 1);
      options.logger.warn({ submissionId: id, err: error, retries }, 'data collection check failed');
      await taskService.handleFailure(task, {
        errorMessage: `汇交数据自动检查失败：${error instanceof Error ? error.message : String(error)}`,
        errorDetails: error instanceof Error ? (error.stack ?? error.message) : String(error),
        retries,
        retryTimeout: 30_000,
      });
    }
  };
}
