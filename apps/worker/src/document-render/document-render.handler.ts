import { writeOfd } from '@zhengwu/ofd';
import { drawLayout, faceFont, layoutOfficialDocument, type OfficialDocument } from '@zhengwu/pdf';
import { Variables, type Handler } from 'camunda-external-task-client-js';
import type { Logger } from 'pino';
import { ApiError, retryTransient, type ApiClient } from '../api-client';

export const DOCUMENT_RENDER_TOPIC = 'document-render';

/**
 * 排版: lays the signed document out per GB/T 9704 once, draws that layout as PDF and writes it as OFD (GB/T 33190),
 * so every character sits at the same place in both, and hands both to the api, which keeps them with the case
 * (the OFD is what 用印 seals). Rendering is CPU work, so it runs here and not in the api; the api only stores bytes.
 */
export function documentRenderHandler(api: ApiClient, log: Logger): Handler {
  return async ({ task, taskService }) => {
    const documentId = String(task.variables.get('documentId') ?? task.businessKey ?? '');
    try {
      const data = await api.json<OfficialDocument>('GET', `/api/worker/documents/${documentId}/official`);
      const layout = await layoutOfficialDocument(data);
      const pdf = await drawLayout(layout);
      // The same font files the PDF embeds (layoutOfficialDocument has loaded them), subset into the OFD.
      const ofd = await writeOfd(layout, {
        fonts: (face) => {
          const f = faceFont(face);
          return { data: f.data, family: f.collection ? f.postscriptName : undefined };
        },
      });
      const storedPdf = (await api.bytes('PUT', `/api/worker/documents/${documentId}/official.pdf`, pdf, 'application/pdf')) as {
        attachmentId: string;
      };
      const storedOfd = (await api.bytes('PUT', `/api/worker/documents/${documentId}/official.ofd`, ofd, 'application/ofd')) as {
        attachmentId: string;
      };
      // Not waited out, a lost complete would render the document again once the lock expires.
      await retryTransient(() =>
        taskService.complete(task, new Variables().set('officialPdf', storedPdf.attachmentId).set('officialOfd', storedOfd.attachmentId)),
      );
      log.info({ documentId, pdfBytes: pdf.length, ofdBytes: ofd.length }, 'document rendered');
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
