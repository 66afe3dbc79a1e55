/** What a notification says, before it is laid out as text and HTML. */
export interface MailContent {
  subject: string;
  /** Paragraphs of the body, in order. */
  lines: string[];
  link?: { label: string; url: string };
}

export interface LaidOutMail {
  subject: string;
  text: string;
  html: string;
}

const FOOTER = '本邮件由政务办公平台自动发送，请勿直接回复。';

/** Every message has one stable id, so a receiver can drop the copy a crashed worker may resend. */
export function messageIdOf(outboxId: string | number): string {
  return `<outbox-${outboxId}@zhengwu.local>`;
}

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}

/** Plain text for every client, and a simple HTML twin with a clickable link. */
export function layOut(content: MailContent, greeting: string): LaidOutMail {
  const subject = content.subject.replace(/[\r\n]+/g, ' ').trim();
  const text = [
    greeting,
    '',
    ...content.lines,
    ...(content.link ? ['', `${content.link.label}：${content.link.url}`] : []),
    '',
    '--',
    FOOTER,
  ].join('\n');
  const html = [
    '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>',
    escapeHtml(subject),
    '</title></head><body style="font-family:sans-serif;font-size:14px;line-height:1.6">',
    `<p>${escapeHtml(greeting)}</p>`,
    ...content.lines.map((line) => `<p>${escapeHtml(line)}</p>`),
    content.link ? `<p><a href="${escapeHtml(content.link.url)}">${escapeHtml(content.link.label)}</a></p>` : '',
    `<hr><p style="color:#888;font-size:12px">${FOOTER}</p>`,
    '</body></html>',
  ].join('');
  return { subject, text, html };
}

/** `2025-12-01 17:00` in China time, as people read deadlines. */
export function formatTime(value: Date | string | null | undefined): string {
  if (!value) return '';
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return '';
  const shifted = new Date(date.getTime() + 8 * 3600_000);
  return shifted.toISOString().slice(0, 16).replace('T', ' ');
}
