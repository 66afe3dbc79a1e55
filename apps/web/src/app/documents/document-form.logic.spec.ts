import {
  emptyDocumentForm,
  fromDocument,
  hasErrors,
  receiptSummary,
  toDocumentBody,
  toUnitOptions,
  validateDocumentForm,
  type DocumentForm,
} from './document-form.logic';

const OWN = '00000000-0000-0000-0000-000000000001';
const A = '00000000-0000-0000-0000-00000000000a';
const B = '00000000-0000-0000-0000-00000000000b';

function filled(patch: Partial<DocumentForm> = {}): DocumentForm {
  return {
    ...emptyDocumentForm(),
    title: '关于开展调查的通知',
    body: '正文',
    mainRecipients: [A],
    ...patch,
  };
}

describe('document form validation', () => {
  it('accepts a complete form', () => {
    expect(hasErrors(validateDocumentForm(filled(), OWN))).toBe(false);
  });

  it('asks for the title, the body and a 主送机关 on an empty form', () => {
    const errors = validateDocumentForm(emptyDocumentForm(), OWN);
    expect(errors.title).toBe('请填写标题');
    expect(errors.body).toBe('请填写正文');
    expect(errors.mainRecipients).toBe('请至少选择一个主送机关');
  });

  it('treats a title of blanks as missing', () => {
    expect(validateDocumentForm(filled({ title: '   ' })).title).toBe('请填写标题');
  });

  it('refuses a unit that is both 主送 and 抄送', () => {
    expect(validateDocumentForm(filled({ ccRecipients: [A, B] }), OWN).ccRecipients).toContain(
      '既主送又抄送',
    );
  });

  it('refuses one’s own unit as recipient or countersigning unit', () => {
    const errors = validateDocumentForm(
      filled({ mainRecipients: [OWN], ccRecipients: [OWN], countersignUnits: [OWN] }),
      OWN,
    );
    expect(errors.mainRecipients).toBe('主送机关不能是本单位');
    expect(errors.ccRecipients).toBe('抄送机关不能是本单位');
    expect(errors.countersignUnits).toBe('会签单位不能是本单位');
  });
});

describe('document request body', () => {
  it('trims the title and leaves out empty optional texts', () => {
    const body = toDocumentBody(
      filled({ title: '  标题  ', secrecyTerm: '  ', attachmentNote: '' }),
    );
    expect(body.title).toBe('标题');
    expect(body).not.toHaveProperty('secrecyTerm');
    expect(body).not.toHaveProperty('attachmentNote');
  });

  it('asks for co-issuers before a 联合行文 and sends the 纪要 lists only for a 纪要', () => {
    expect(validateDocumentForm(filled({ jointIssue: true }), OWN).jointIssue).toMatch(/会签单位/);
    expect(
      hasErrors(validateDocumentForm(filled({ jointIssue: true, countersignUnits: [B] }), OWN)),
    ).toBe(false);
    expect(toDocumentBody(filled({ jointIssue: true, countersignUnits: [B] })).jointIssue).toBe(
      true,
    );
    expect(
      toDocumentBody(filled({ docType: '纪要', present: ' 张伟、李娜 ', absent: '' })).attendance,
    ).toEqual({
      present: '张伟、李娜',
      absent: undefined,
      attending: undefined,
    });
    expect(toDocumentBody(filled({ docType: '通知', present: '张伟' }))).not.toHaveProperty(
      'attendance',
    );
  });

  it('keeps the 保密期限 only for classified documents', () => {
    expect(toDocumentBody(filled({ secrecy: '秘密', secrecyTerm: '1年' })).secrecyTerm).toBe('1年');
    expect(toDocumentBody(filled({ secrecy: '非密', secrecyTerm: '1年' }))).not.toHaveProperty(
      'secrecyTerm',
    );
  });

  it('always says whether the document is 信息化相关, so that unmarking reaches the api', () => {
    expect(toDocumentBody(filled()).informatization).toBe(false);
    expect(toDocumentBody(filled({ informatization: true })).informatization).toBe(true);
    const stored = {
      docType: '通知',
      title: 't',
      secrecy: '非密',
      urgency: '平急',
      body: 'b',
      itReview: { informatization: true },
    };
    expect(fromDocument(stored).informatization).toBe(true);
    expect(fromDocument({ ...stored, itReview: null }).informatization).toBe(false);
  });

  it('round-trips a stored document into the form', () => {
    const form = fromDocument({
      docType: '函',
      title: 't',
      secrecy: '非密',
      urgency: '加急',
      body: 'b',
      mainRecipients: [{ id: A }],
      ccRecipients: null,
      countersignUnits: [{ id: B }],
    });
    expect(form).toMatchObject({
      mainRecipients: [A],
      ccRecipients: [],
      countersignUnits: [B],
      secrecyTerm: '',
      attachmentNote: '',
    });
  });
});

describe('unit picker', () => {
  it('maps the tree and disables one’s own unit', () => {
    const options = toUnitOptions(
      [
        {
          id: 'root',
          name: '部',
          children: [
            { id: OWN, name: '办公厅' },
            { id: A, name: '规划司' },
          ],
        },
      ],
      OWN,
    );
    expect(options[0]).toMatchObject({ key: 'root', title: '部', isLeaf: false, expanded: true });
    expect(options[0].children?.[0]).toMatchObject({ key: OWN, disabled: true, isLeaf: true });
    expect(options[0].children?.[1].disabled).toBe(false);
  });
});

describe('receipt summary', () => {
  it('lists the counts in the order of handling', () => {
    expect(receiptSummary({ 退文: 1, 已送达: 2, 已签收: 3 })).toBe('已送达 2 · 已签收 3 · 退文 1');
    expect(receiptSummary(null)).toBe('');
  });
});
