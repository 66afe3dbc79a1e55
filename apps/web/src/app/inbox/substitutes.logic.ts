/** 代理设置: checks of the form before sending, and the request body. No Angular; tested in substitutes.logic.spec.ts. */

export interface SubstituteForm {
  substituteId: string | null;
  startsOn: Date | null;
  endsOn: Date | null;
  reason: string;
}

/** A day as YYYY-MM-DD in local time. */
export function day(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/** Field → what to do; empty when the form may be sent. `today` as YYYY-MM-DD. */
export function validateSubstitute(
  form: SubstituteForm,
  today: string,
  selfId?: string,
): Record<string, string> {
  const errors: Record<string, string> = {};
  if (!form.substituteId) errors['substituteId'] = '请选择代理人';
  else if (form.substituteId === selfId) errors['substituteId'] = '不能指定自己为代理人';
  if (!form.startsOn) errors['startsOn'] = '请选择开始日期';
  if (!form.endsOn) errors['endsOn'] = '请选择结束日期';
  if (form.startsOn && form.endsOn) {
    const start = day(form.startsOn);
    const end = day(form.endsOn);
    if (end < start) errors['endsOn'] = '结束日期不能早于开始日期';
    else if (end < today) errors['endsOn'] = '结束日期不能早于今天';
  }
  if (form.reason.trim().length > 200) errors['reason'] = '事由不能超过 200 个字符';
  return errors;
}

export function substituteBody(form: SubstituteForm): {
  substituteId: string;
  startsOn: string;
  endsOn: string;
  reason?: string;
} {
  const body: { substituteId: string; startsOn: string; endsOn: string; reason?: string } = {
    substituteId: form.substituteId!,
    startsOn: day(form.startsOn!),
    endsOn: day(form.endsOn!),
  };
  const reason = form.reason.trim();
  if (reason) body.reason = reason;
  return body;
}

export interface Substitution {
  id: string;
  userId: string;
  userName: string;
  substituteId: string;
  substituteName: string;
  startsOn: string;
  endsOn: string;
  reason: string | null;
  status: string;
  isActive: boolean;
}

/** 生效中 / 未开始 / 已结束 / 已撤销 for a row, given today as YYYY-MM-DD. */
export function substitutionState(
  row: Substitution,
  today: string,
): { label: string; color: string } {
  if (row.status !== 'active') return { label: '已撤销', color: 'default' };
  if (row.isActive) return { label: '生效中', color: 'green' };
  if (row.startsOn > today) return { label: '未开始', color: 'blue' };
  return { label: '已结束', color: 'default' };
}
