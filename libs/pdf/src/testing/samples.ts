import { OfficialDocument, ProcessingSheet } from '../types';

const para = (n: number) =>
  '为贯彻落实国家关于推进政务信息化建设的决策部署，加快构建全国统一的自然资源政务服务体系，提升行政效能和服务水平，现就有关事项通知如下，请各单位结合实际认真抓好落实并及时报送工作进展情况'.repeat(
    n,
  );

/** A sample 通知 used by the tests and the PNG preview. `paragraphs` controls its length. */
export function sampleDocument(paragraphs = 4, over: Partial<OfficialDocument> = {}): OfficialDocument {
  const body: string[] = [];
  body.push(para(1) + '。');
  for (let i = 0; i < paragraphs; i++) {
    const n = '一二三四五六七八九十'[i % 10];
    body.push(`${n}、总体要求`);
    body.push(`（一）工作目标。${para(1)}。`);
    body.push(`${para(2)}。`);
  }
  return {
    copyNumber: '000123',
    secrecy: '秘密',
    secrecyTerm: '1年',
    urgency: '特急',
    issuerMark: '自然资源部文件',
    docNumber: '自然资发〔2026〕3号',
    title: '自然资源部关于推进全国自然资源政务办公平台建设与应用工作的通知',
    mainRecipients: '各省、自治区、直辖市自然资源主管部门，部机关各司局，部直属各单位',
    body: body.join('\n'),
    attachments: ['政务办公平台建设任务分工表', '全国自然资源政务办公平台应用推广工作方案（试行）及各省级单位联络人名单'],
    signatureUnit: '自然资源部',
    date: '2026-03-05',
    note: '此件公开发布',
    cc: ['国务院办公厅', '国家发展改革委', '财政部', '各省、自治区、直辖市人民政府办公厅'],
    printingOrgan: '自然资源部办公厅',
    printingDate: '2026-03-06',
    metadata: {
      title: '自然资源部关于推进全国自然资源政务办公平台建设与应用工作的通知',
      author: '自然资源部',
      subject: '公文',
      keywords: ['政务办公', '通知'],
      createdAt: '2026-03-05',
    },
    ...over,
  };
}

export function sampleSheet(steps = 30): ProcessingSheet {
  return {
    heading: '公文处理单',
    fields: [
      ['标题', '自然资源部关于推进全国自然资源政务办公平台建设与应用工作的通知'],
      ['发文字号', '自然资发〔2026〕3号'],
      ['主办单位', '信息化工作办公室'],
      ['密级', '秘密'],
    ],
    steps: Array.from({ length: steps }, (_, i) => ({
      step: ['拟稿', '部门审核', '办公厅核稿', '领导签发', '印发'][i % 5],
      person: ['李娜', '王强', '张伟', '刘洋', '陈静'][i % 5],
      unit: '信息化工作办公室',
      at: new Date(Date.UTC(2026, 2, 1 + (i % 20), 1 + (i % 9), 5)).toISOString(),
      action: i % 7 === 3 ? '退回' : '同意',
      opinion: i % 4 === 0 ? `第${i + 1}条意见：${para(i % 3 === 0 ? 3 : 1)}。` : '同意。',
    })),
    metadata: {
      title: '公文处理单',
      author: '信息化工作办公室',
      subject: '办理单',
      keywords: ['办理单'],
      createdAt: '2026-03-06T10:00:00+08:00',
    },
  };
}
