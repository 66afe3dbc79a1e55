import { renderOfficialDocument, type OfficialDocument } from '@zhengwu/pdf';
import { Variables, type Handler } from 'camunda-external-task-client-js';
import type { Logger } from 'pino';
import { ApiError, retryTransient, type ApiClient } from '../api-client';

export const DOCUMENT_RENDER_TOPIC = 'document-render';

/**
 * 排版: renders the signed document per GB/T 9704 and hands the PDF to the api, which keeps it with
 * the case. Rendering is CPU work, so it runs here and not in the api; the api only stores bytes.
 */
export function documentRenderHandler(api: ApiClient, log: Logger): Handler {
  return async ({ task, taskService }) => {
    const documentId = String(task.variables.get('documentId') ?? task.businessKey ?? '');
    try {
      const data = await api.json<OfficialDocument>('GET', `/api/worker/documents/${documentId}/official`);
      const pdf = await renderOfficialDocument(data);
      const stored = (await api.bytes('PUT', `/api/worker/documents/${documentId}/official.pdf`, pdf, 'application/pdf')) as {
        attachmentId: string;
      };
      // Not waited out, a lost complete would render the document again once the lock expires.
      await retryTransient(() => taskService.complete(task, new Variables().set('officialPdf', stored.attachmentId)));
      log.info({ documentId, bytes: pdf.length }, 'document rendered');
    } catch (error) {
      // A document that cannot be rendered (bad data) is not going to render on retry either.
      const permanent = error instanceof ApiError && error.status >= 400 && error.status < 500;
      const retries = permanent ? 0 : Math.max(0, (task.retries ?? 5) - 1);
      log.warn({ documentId, err: error, retries }, 'document rendering failed');
      await taskService.handleFailure(task, {
        errorMessage: `公文排版失败：${error instanceof Error ? error.message : String(error)}`,
        errorDetails: error instanceof Error ? (error.stack ?? error.message) : String(error),
        retries,
        retryTimeout: permanent ? 0 : 30_000,
      });
    }
  };
}
