/** Pure rules of 外部收文单位 (公文交换 to units on partner deployments), tested in partner-recipients.logic.spec.ts. */

/** A registered partner deployment, as GET /api/exchange/partners/directory lists it. */
export interface PartnerEntry {
  organCode: string;
  name: string;
}

/** One unit on a partner deployment the document goes to. */
export interface PartnerRecipientRow {
  organCode: string;
  unitCode: string;
  unitName: string;
  kind: '主送' | '抄送';
}

export type PartnerRowErrors = Partial<Record<keyof PartnerRecipientRow, string>>;

const CODE = /^[A-Za-z0-9-]{1,32}$/;

export function emptyPartnerRow(partners: PartnerEntry[]): PartnerRecipientRow {
  return { organCode: partners[0]?.organCode ?? '', unitCode: '', unitName: '', kind: '主送' };
}

/** The api's rules for each row, plus one unit once per partner; an empty list is valid. */
export function partnerRowErrors(
  rows: PartnerRecipientRow[],
  partners: PartnerEntry[],
): PartnerRowErrors[] {
  const seen = new Set<string>();
  return rows.map((row) => {
    const errors: PartnerRowErrors = {};
    if (!partners.some((p) => p.organCode === row.organCode))
      errors.organCode = '请选择已登记的交换方';
    const code = row.unitCode.trim();
    if (!CODE.test(code))
      errors.unitCode = '单位代码为 1–32 位字母、数字或连字符（对方系统中的单位代码）';
    else if (seen.has(`${row.organCode}/${code}`)) errors.unitCode = '同一单位只能选一次';
    seen.add(`${row.organCode}/${code}`);
    const name = row.unitName.trim();
    if (!name) errors.unitName = '请填写单位名称';
    else if (name.length > 100) errors.unitName = '单位名称不能超过 100 个字';
    return errors;
  });
}

export function rowsHaveErrors(errors: PartnerRowErrors[]): boolean {
  return errors.some((e) => Object.keys(e).length > 0);
}

/** The body of PUT /api/exchange/documents/:id/partner-recipients. */
export function toPartnerBody(rows: PartnerRecipientRow[]): { recipients: PartnerRecipientRow[] } {
  return {
    recipients: rows.map((r) => ({
      organCode: r.organCode,
      unitCode: r.unitCode.trim(),
      unitName: r.unitName.trim(),
      kind: r.kind,
    })),
  };
}

/** Colour of a partner recipient's live status (待分发 → 待送达 → 已送达 → 已签收 / 退文 / 被拒收). */
export function partnerStatusColor(status: string): string {
  switch (status) {
    case '已签收':
      return 'green';
    case '已送达':
      return 'blue';
    case '退文':
    case '被拒收':
      return 'red';
    default:
      return 'default';
  }
}
