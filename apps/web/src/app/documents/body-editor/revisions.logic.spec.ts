import type { BodyParagraph } from '@zhengwu/contracts';
import {
  authorColors,
  cleanParagraphs,
  describeChange,
  mergeWithPrevious,
  moveParagraph,
  pasteLines,
  splitParagraph,
} from './revisions.logic';

const ps: BodyParagraph[] = [
  { level: 'text', text: '各有关单位：' },
  { level: 'h1', text: '报送内容' },
  { level: 'text', text: '请于12月31日前报送。' },
];

describe('the 正文 editor’s operations', () => {
  it('splits a paragraph at the cursor, a heading followed by body text', () => {
    expect(splitParagraph(ps, 1, 2)).toEqual([
      ps[0],
      { level: 'h1', text: '报送' },
      { level: 'text', text: '内容' },
      ps[2],
    ]);
  });

  it('joins a paragraph to the one before, keeping the first one’s level', () => {
    expect(mergeWithPrevious(ps, 2)).toEqual([
      ps[0],
      { level: 'h1', text: '报送内容请于12月31日前报送。' },
    ]);
    expect(mergeWithPrevious(ps, 0)).toEqual(ps);
  });

  it('moves a paragraph and stops at the ends', () => {
    expect(moveParagraph(ps, 2, -1).map((p) => p.text)).toEqual([
      '各有关单位：',
      '请于12月31日前报送。',
      '报送内容',
    ]);
    expect(moveParagraph(ps, 0, -1)).toEqual(ps);
  });

  it('turns pasted lines into paragraphs with the levels their typed numbers say', () => {
    const pasted = pasteLines(
      [{ level: 'text', text: '' }],
      0,
      0,
      '一、总体要求\n（一）指导思想\n1.坚持统筹\n（1）统一平台',
    );
    expect(pasted).toEqual([
      { level: 'h1', text: '总体要求' },
      { level: 'h2', text: '指导思想' },
      { level: 'h3', text: '坚持统筹' },
      { level: 'h4', text: '统一平台' },
    ]);
    // Into the middle of a paragraph: the first line joins the text before, the last the text after.
    expect(pasteLines([{ level: 'text', text: '甲乙' }], 0, 1, '丙\n丁')).toEqual([
      { level: 'text', text: '甲丙' },
      { level: 'text', text: '丁乙' },
    ]);
  });

  it('saves no empty paragraph and no stray break', () => {
    expect(
      cleanParagraphs([
        { level: 'text', text: ' 甲\n乙 ' },
        { level: 'h1', text: '  ' },
      ]),
    ).toEqual([{ level: 'text', text: '甲 乙' }]);
  });
});

describe('how changes read', () => {
  it('names a replacement, an insertion and a deletion in Chinese', () => {
    expect(describeChange({ deleted: '12', inserted: '11' })).toBe('将“12”改为“11”');
    expect(describeChange({ deleted: '', inserted: '一名' })).toBe('插入“一名”');
    expect(describeChange({ deleted: '年度', inserted: '' })).toBe('删除“年度”');
  });

  it('gives each person one colour, in the order they first revised', () => {
    const colors = authorColors([{ authorId: 'a' }, { authorId: 'b' }, { authorId: 'a' }]);
    expect(colors.size).toBe(2);
    expect(colors.get('a')).not.toBe(colors.get('b'));
  });
});
