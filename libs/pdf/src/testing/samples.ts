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

const meta = (title: string, author: string, docType: string) => ({
  title,
  author,
  subject: docType,
  keywords: ['政务办公', docType],
  createdAt: '2026-03-05',
});

/** One sample per 文种 (the README's pictures and the picture checks use these). */
export function templateSamples(): Record<string, OfficialDocument> {
  const base = (docType: string, title: string, over: Partial<OfficialDocument> = {}): OfficialDocument =>
    sampleDocument(1, {
      docType,
      title,
      copyNumber: undefined,
      secrecy: '非密',
      urgency: '平急',
      note: undefined,
      metadata: meta(title, '自然资源部', docType),
      ...over,
    });
  const body = [
    '为贯彻落实党中央、国务院关于数字政府建设的决策部署，推进国土空间规划“一张图”实施监督信息系统建设，现将有关事项通知如下。',
    '一、总体要求',
    '（一）工作目标。到2027年底，建成全国统一的国土空间规划“一张图”实施监督信息系统，实现规划编制、审批、实施、监督全流程在线管理。',
    '二、工作安排',
    '各单位要明确责任分工，按时报送工作进展情况，确保各项任务落到实处。',
  ].join('\n');
  return {
    tongzhi: base('通知', '自然资源部关于推进国土空间规划“一张图”实施监督信息系统建设的通知', {
      body,
      secrecy: '秘密',
      secrecyTerm: '1年',
      copyNumber: '000123',
      urgency: '特急',
      note: '此件发至县级自然资源主管部门',
    }),
    tongbao: base('通报', '自然资源部关于2025年度政务信息系统运行情况的通报', {
      body: '2025年，各单位认真落实政务信息系统运行管理要求，系统总体运行平稳。现将有关情况通报如下。\n一、总体情况\n全年系统可用率达到99.9%，未发生重大安全事件。\n二、存在问题\n部分单位数据更新不及时，请认真整改。',
    }),
    yijian: base('意见', '自然资源部关于加强政务数据共享的意见', {
      body: '为加强政务数据共享，提升数据治理水平，提出如下意见。\n一、明确共享范围\n除法律法规另有规定外，政务数据以共享为原则、不共享为例外。\n二、规范共享流程\n各单位应当通过统一的数据共享平台提供和使用数据。',
    }),
    jueding: base('决定', '自然资源部关于表彰2025年度信息化工作先进集体的决定', {
      body: '2025年，各单位围绕部党组中心工作，扎实推进信息化建设，涌现出一批先进集体。为表彰先进，经研究，决定对江苏省自然资源厅等10个单位予以通报表彰。\n希望受表彰的单位珍惜荣誉，再接再厉。',
      attachments: ['2025年度信息化工作先进集体名单'],
    }),
    qingshi: base('请示', '江苏省自然资源厅关于申请开展政务办公平台试点的请示', {
      issuerMark: '江苏省自然资源厅文件',
      docNumber: '苏自然资〔2026〕12号',
      signers: ['张三'],
      mainRecipients: '自然资源部',
      body: '为推进政务办公平台建设，我厅拟在全省开展试点工作。试点期限一年，所需经费由我厅自筹解决。\n妥否，请批示。',
      signatureUnit: '江苏省自然资源厅',
      printingOrgan: '江苏省自然资源厅办公室',
      cc: [],
      attachments: [],
      metadata: meta('江苏省自然资源厅关于申请开展政务办公平台试点的请示', '江苏省自然资源厅', '请示'),
    }),
    baogao: base('报告', '江苏省自然资源厅关于2025年度信息化工作情况的报告', {
      issuerMark: '江苏省自然资源厅文件',
      docNumber: '苏自然资〔2026〕15号',
      signers: ['张三', '李四'],
      mainRecipients: '自然资源部',
      body: '2025年，我厅认真贯彻落实部信息化工作部署，现将有关情况报告如下。\n一、主要工作\n完成全省政务办公平台部署，实现公文全流程网上办理。\n二、下一步打算\n继续推进数据共享，提升平台应用水平。\n特此报告。',
      signatureUnit: '江苏省自然资源厅',
      printingOrgan: '江苏省自然资源厅办公室',
      attachments: [],
      metadata: meta('江苏省自然资源厅关于2025年度信息化工作情况的报告', '江苏省自然资源厅', '报告'),
    }),
    han: base('函', '自然资源部办公厅关于商请提供2026年度土地督察信息化需求的函', {
      issuerMark: '自然资源部办公厅',
      docNumber: '自然资办函〔2026〕8号',
      mainRecipients: '国家自然资源督察北京局',
      body: '为做好2026年度土地督察信息化建设工作，请你局结合工作实际，梳理提出信息化需求，于2026年4月1日前报送我厅。\n联系人：李娜，电话：010-66558888。',
      signatureUnit: '自然资源部办公厅',
      cc: ['自然资源部信息中心'],
      attachments: ['土地督察信息化需求表'],
      metadata: meta('自然资源部办公厅关于商请提供2026年度土地督察信息化需求的函', '自然资源部办公厅', '函'),
    }),
    jiyao: base('纪要', '关于推进政务办公平台建设的专题会议纪要', {
      issuerMark: '自然资源部专题会议纪要',
      docNumber: '',
      mainRecipients: '',
      body: '2026年3月4日，部领导主持召开专题会议，研究推进政务办公平台建设有关工作。现将会议议定事项纪要如下。\n一、关于平台建设进度\n会议要求，各单位要按照时间节点完成部署任务。\n二、关于数据共享\n会议同意建立数据共享工作机制。',
      attendance: [
        { label: '出席', names: '王五、赵六、钱七（信息中心）、孙八（规划司）、周九（办公厅）' },
        { label: '请假', names: '吴十' },
        { label: '列席', names: '郑十一（信息中心）' },
      ],
      cc: [],
      attachments: [],
      metadata: meta('关于推进政务办公平台建设的专题会议纪要', '自然资源部', '纪要'),
    }),
  };
}

/** 联合行文 with seals and 附件 pages: two organs, a joint 标志, a seal place per 署名. */
export function jointSample(): OfficialDocument {
  return sampleDocument(0, {
    docType: '通知',
    issuerMark: '自然资源部 财政部文件',
    jointIssuers: [
      { mark: '自然资源部', signature: '自然资源部' },
      { mark: '财政部', signature: '财政部' },
    ],
    docNumber: '自然资发〔2026〕9号',
    title: '自然资源部 财政部关于做好政务信息化项目资金管理工作的通知',
    copyNumber: undefined,
    secrecy: '非密',
    urgency: '平急',
    sealed: true,
    body: '为规范政务信息化项目资金管理，提高资金使用效益，现就有关事项通知如下。\n一、严格预算管理\n项目资金应当纳入部门预算，专款专用。',
    attachments: ['1.项目资金管理办法', '2．项目绩效目标表'],
    annexes: [
      { title: '项目资金管理办法', body: '第一条　为规范项目资金管理，制定本办法。\n第二条　本办法适用于政务信息化项目。' },
      { title: '项目绩效目标表', body: '项目名称、绩效目标、指标值。' },
    ],
    note: undefined,
    metadata: meta('自然资源部 财政部关于做好政务信息化项目资金管理工作的通知', '自然资源部', '通知'),
  });
}
