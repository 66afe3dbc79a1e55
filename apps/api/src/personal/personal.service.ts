import { HttpStatus, Injectable } from '@nestjs/common';
import type { Principal } from '../identity/principal';
import { AppError, NotFoundError } from '../platform/errors';
import { DRAFT_FORMS, DRAFT_MAX_BYTES, type DraftForm } from './personal.dto';
import { PersonalRepository } from './personal.repository';

/** The phrases a person starts with until they keep their own (the opinion box's 常用语). */
export const DEFAULT_PHRASES = [
  '同意。',
  '拟同意，请领导审批。',
  '请补充材料后重新提交。',
  '请修改后再报。',
  '已阅。',
  '请按规定办理。',
  '不同意。',
];

/**
 * One person's own settings: 常用语 they edit (until then the defaults), and 暂存 of a start form — kept on the
 * server per person and form, so nobody else ever reads it, and removed once the record is submitted.
 */
@Injectable()
export class PersonalService {
  constructor(private readonly repository: PersonalRepository) {}

  async phrases(me: Principal): Promise<{ phrases: string[]; custom: boolean }> {
    const own = await this.repository.phrases(me.userId);
    return { phrases: own ?? DEFAULT_PHRASES, custom: own !== null };
  }

  async savePhrases(me: Principal, phrases: string[]): Promise<{ phrases: string[]; custom: boolean }> {
    const cleaned = phrases.map((p) => p.trim());
    const empty = cleaned.findIndex((p) => p.length === 0);
    if (empty >= 0) throw field(`phrases[${empty}]`, `第 ${empty + 1} 条常用语是空的`);
    const seen = new Set<string>();
    cleaned.forEach((p, i) => {
      if (seen.has(p)) throw field(`phrases[${i}]`, `常用语“${p}”重复了`);
      seen.add(p);
    });
    await this.repository.savePhrases(me.userId, cleaned);
    return { phrases: cleaned, custom: true };
  }

  async resetPhrases(me: Principal): Promise<{ phrases: string[]; custom: boolean }> {
    await this.repository.resetPhrases(me.userId);
    return { phrases: DEFAULT_PHRASES, custom: false };
  }

  async draft(me: Principal, form: string): Promise<{ payload: Record<string, unknown>; updatedAt: Date }> {
    const draft = await this.repository.draft(me.userId, formOf(form));
    if (!draft) throw new NotFoundError('暂存');
    return draft;
  }

  async saveDraft(me: Principal, form: string, payload: Record<string, unknown>): Promise<{ updatedAt: Date }> {
    const key = formOf(form);
    const text = JSON.stringify(payload);
    if (Buffer.byteLength(text, 'utf8') > DRAFT_MAX_BYTES) {
      throw new AppError(
        'DRAFT_TOO_LARGE',
        '暂存内容超过 64 KB：正文过长时请先保存为正式记录，附件请上传到记录',
        HttpStatus.PAYLOAD_TOO_LARGE,
      );
    }
    return { updatedAt: await this.repository.saveDraft(me.userId, key, text) };
  }

  async deleteDraft(me: Principal, form: string): Promise<{ ok: true }> {
    await this.repository.deleteDraft(me.userId, formOf(form));
    return { ok: true };
  }
}

function formOf(form: string): DraftForm {
  if (!(DRAFT_FORMS as readonly string[]).includes(form)) throw new NotFoundError('暂存');
  return form as DraftForm;
}

function field(name: string, message: string): AppError {
  return new AppError('VALIDATION_FAILED', message, HttpStatus.BAD_REQUEST, [{ field: name, message }]);
}
