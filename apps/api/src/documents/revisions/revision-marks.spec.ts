import { deserializeBody, markedParagraphs, parseBodyText, serializeBody, storableText, type BodyParagraph } from '@zhengwu/contracts';
import { acceptedText, applyEdit, compare, decide, diffText, listChanges, visibleText, type Span } from './revision-marks';

const body = (...lines: [BodyParagraph['level'], string][]) => serializeBody(lines.map(([level, text]) => ({ level, text })));

describe('痕迹保留 marks, character by character in Chinese', () => {
  // Given the drafter's first text (revision 1, accepted as a whole)
  const draft = body(['text', '各省、自治区国土资源主管部门：'], ['h1', '报送内容'], ['text', '请于12月31日前报送年度计划。']);
  const r1 = applyEdit([], draft, 1, false);

  it('keeps an untracked first draft as accepted text with no change to review', () => {
    expect(r1).toEqual([{ k: '=', t: draft }]);
    expect(listChanges(r1)).toEqual([]);
  });

  it('attributes each insertion and deletion to the revision that made it, across two people', () => {
    // When 核稿 (revision 2) replaces 12月31日 with 11月30日, and 会签 (revision 3) adds 电子版 and drops 年度
    const r2 = applyEdit(r1, draft.replace('12月31日', '11月30日'), 2);
    const r3 = applyEdit(r2, visibleText(r2).replace('报送年度计划。', '报送计划。（含电子版）'), 3);
    const changes = listChanges(r3);
    // Then the pending changes name their revision, character by character
    expect(changes.map((c) => ({ rev: c.rev, deleted: c.deleted, inserted: c.inserted }))).toEqual([
      { rev: 2, deleted: '2', inserted: '1' },
      { rev: 2, deleted: '1', inserted: '0' },
      { rev: 3, deleted: '年度', inserted: '' },
      { rev: 3, deleted: '', inserted: '（含电子版）' },
    ]);
    expect(acceptedText(r3)).toBe(draft);
    expect(deserializeBody(visibleText(r3))[2].text).toBe('请于11月30日前报送计划。（含电子版）');
  });

  it('folds a short common character into the replacement around it (semantic clean-up)', () => {
    // 甲的乙 → 丙的丁: without clean-up a diff keeps 的 and shows two replacements
    expect(diffText('关于甲的乙通知', '关于丙的丁通知')).toEqual([
      { op: '=', text: '关于' },
      { op: '-', text: '甲的乙' },
      { op: '+', text: '丙的丁' },
      { op: '=', text: '通知' },
    ]);
  });

  it('accepts one change and rejects another, each giving the text a person expects', () => {
    const r2 = applyEdit(r1, draft.replace('主管部门', '厅（局）').replace('报送年度计划', '报送计划'), 2);
    const [first, second] = listChanges(r2);
    expect([first.deleted, first.inserted, second.deleted]).toEqual(['主管部门', '厅（局）', '年度']);
    const accepted = decide(r2, [first.id], 'accept');
    expect(deserializeBody(visibleText(accepted))[0].text).toBe('各省、自治区国土资源厅（局）：');
    expect(listChanges(accepted).map((c) => c.deleted)).toEqual(['年度']);
    const rejected = decide(accepted, [listChanges(accepted)[0].id], 'reject');
    expect(deserializeBody(visibleText(rejected))[2].text).toBe('请于12月31日前报送年度计划。');
    expect(listChanges(rejected)).toEqual([]);
    expect(acceptedText(rejected)).toBe(visibleText(rejected));
  });

  it('takes back a pending insertion without leaving a deletion behind', () => {
    const r2 = applyEdit(r1, draft.replace('报送年度计划', '报送年度建设计划'), 2);
    const r3 = applyEdit(r2, draft, 3);
    expect(listChanges(r3)).toEqual([]);
    expect(visibleText(r3)).toBe(draft);
  });

  it('shows a level change and a new paragraph as changes of their own', () => {
    const next = body(
      ['text', '各省、自治区国土资源主管部门：'],
      ['h2', '报送内容'],
      ['text', '请于12月31日前报送年度计划。'],
      ['attachment', '年度计划表'],
    );
    const r2 = applyEdit(r1, next, 2);
    const view = markedParagraphs(r2.map((s: Span) => ({ kind: s.k === '=' ? 'same' : s.k === '+' ? 'ins' : 'del', text: s.t, rev: s.r })));
    expect(view.map((p) => [p.level, p.number])).toEqual([
      ['text', ''],
      ['h2', '（一）'],
      ['text', ''],
      ['attachment', '附件：'],
    ]);
    expect(view[1].levelChange).toEqual(expect.objectContaining({ from: 'h1', to: 'h2', rev: 2 }));
    expect(view[3].isInserted).toBe(true);
  });

  it('counts code points, so a character outside the BMP is one character', () => {
    const spans = compare('𠀀甲', '𠀀乙');
    expect(spans).toEqual([
      { k: '=', t: '𠀀' },
      { k: '-', t: '甲', r: undefined },
      { k: '+', t: '乙', r: undefined },
    ]);
  });
});

describe('text from outside', () => {
  it('keeps what JSON and PostgreSQL can store: a lone surrogate becomes U+FFFD, NUL goes, pairs stay', () => {
    expect(storableText('甲\uD800乙\u0000丙𠀀')).toBe('甲\uFFFD乙丙𠀀');
    expect(parseBodyText('一、\uDC00标题')).toEqual([{ level: 'h1', text: '\uFFFD标题' }]);
  });
});
