import type { TestApp } from './test-app';

/** A minimal PDF, enough for the upload checks (they read the first bytes). */
export const SAMPLE_PDF = Buffer.from('%PDF-1.7\n% 测试附件\n%%EOF\n');

/** Uploads `content` as an attachment of a record, with a person's bearer token. */
export function attach(t: TestApp, token: string, ownerKind: string, ownerId: string, name = '附件.pdf', content = SAMPLE_PDF) {
  return t
    .http()
    .post(`/api/attachments?ownerKind=${ownerKind}&ownerId=${ownerId}`)
    .set('Authorization', `Bearer ${token}`)
    .attach('file', content, { filename: name });
}
