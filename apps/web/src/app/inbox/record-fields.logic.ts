/**
 * The business record behind a task, as its feature's own page shows it: every field, in that page's words and order.
 * Pure (no Angular); tested in record-fields.logic.spec.ts. The task page fetches the record from the feature's api
 * (the same route its detail page reads) and shows these rows.
 */

export interface RecordRow {
  label: string;
  value: string;
  /** Long text (正文, 建设内容, 用途): a full-width row that keeps its line breaks. */
  wide?: boolean;
}

type Json = Record<string, unknown>;

const text = (v: unknown): string => (v === null || v === undefined || v === '' ? '—' : String(v));
const names = (v: unknown): string =>
  Array.isArray(v) && v.length
    ? v
        .map((u) => (u as { name?: string }).name ?? '')
        .filter(Boolean)
        .join('、')
    : '—';
function when(v: unknown): string {
  if (typeof v !== 'string' || !v) return '—';
  const d = new Date(v);
  if (Number.isNaN(d.getTime())) return v;
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** The api route the record is read from, by the record link the task page already knows. */
export function recordApiPath(link: string): string | null {
  const m =
    /^\/(documents\/received|documents|projects|filings|data-requests|approvals|data-release\/requests|data-release\/outside)\/([0-9a-f-]{36})$/.exec(
      link,
    );
  if (!m) return null;
  if (m[1] === 'data-release/outside') return `/data-release/outside-requests/${m[2]}`;
  return m[1] === 'documents/received' ? `/documents/receipts/${m[2]}` : `/${m[1]}/${m[2]}`;
}

/** The rows of a record read from `recordApiPath(link)`. */
export function recordRows(link: string, r: Json): RecordRow[] {
  if (link.startsWith('/documents/received/')) {
    return [
      { label: '标题', value: text(r['title']) },
      { label: '来文单位', value: text(r['issuer']) },
      { label: '发文字号', value: text(r['docNumber']) },
      { label: '文种', value: text(r['docType']) },
      { label: '密级', value: text(r['secrecy']) },
      { label: '紧急程度', value: text(r['urgency']) },
      { label: '收文编号', value: text(r['receiptNumber']) },
      { label: '收文状态', value: text(r['status']) },
      { label: '送达时间', value: when(r['deliveredAt']) },
      {
        label: '交换方',
        value: r['fromName'] ? `${text(r['fromName'])}（${text(r['fromOrgan'])}）` : '—',
      },
    ];
  }
  if (link.startsWith('/documents/')) {
    return [
      { label: '标题', value: text(r['title']) },
      { label: '文种', value: text(r['docType']) },
      { label: '发文字号', value: text(r['docNumber']) },
      { label: '状态', value: text(r['status']) },
      {
        label: '密级',
        value: `${text(r['secrecy'])}${r['secrecyTerm'] ? '★' + String(r['secrecyTerm']) : ''}`,
      },
      { label: '紧急程度', value: text(r['urgency']) },
      { label: '发文单位', value: text(r['unitName']) },
      { label: '拟稿人', value: text(r['drafterName']) },
      { label: '签发人', value: text(r['signerName']) },
      { label: '主送机关', value: names(r['mainRecipients']) },
      { label: '抄送机关', value: names(r['ccRecipients']) },
      { label: '会签单位', value: names(r['countersignUnits']) },
      { label: '公开属性', value: text(r['disclosure']) },
      { label: '正文', value: text(r['body']), wide: true },
      { label: '附件说明', value: text(r['attachmentNote']), wide: true },
    ];
  }
  if (link.startsWith('/projects/')) {
    const years =
      r['startYear'] === r['endYear']
        ? `${text(r['startYear'])} 年`
        : `${text(r['startYear'])}—${text(r['endYear'])} 年`;
    return [
      { label: '项目名称', value: text(r['name']) },
      { label: '项目编号', value: text(r['projectNo']) },
      { label: '状态', value: text(r['status']) },
      { label: '项目类别', value: text(r['category']) },
      { label: '申报单位', value: text(r['unitName']) },
      { label: '申报人', value: text(r['submitterName']) },
      { label: '实施单位', value: text(r['implementingUnitName']) },
      {
        label: '预算',
        value:
          r['budget'] === undefined || r['budget'] === null ? '—' : `${String(r['budget'])} 万元`,
      },
      { label: '建设年度', value: years },
      { label: '政务管理类', value: r['isGovernmentAffairs'] ? '是' : '否' },
      { label: '建设内容', value: text(r['content']), wide: true },
      ...(r['decision'] ? [{ label: '立项决定', value: text(r['decision']), wide: true }] : []),
    ];
  }
  if (link.startsWith('/filings/')) {
    return [
      { label: '标题', value: text(r['title']) },
      { label: '状态', value: text(r['status']) },
      { label: '备案号', value: text(r['filingNo']) },
      { label: '类别', value: text(r['kind']) },
      { label: '规划期', value: `${text(r['periodStart'])}—${text(r['periodEnd'])} 年` },
      { label: '报送单位', value: text(r['unitName']) },
      { label: '联系人', value: `${text(r['contactName'])}（${text(r['contactPhone'])}）` },
      { label: '报送时间', value: when(r['submittedAt']) },
      { label: '备案时间', value: when(r['registeredAt']) },
      { label: '内容摘要', value: text(r['summary']), wide: true },
    ];
  }
  if (link.startsWith('/data-release/requests/')) {
    return [
      {
        label: '数据资源',
        value: `${text(r['datasetName'])}（${text(r['datasetCode'])}，${text(r['secrecy'])}）`,
      },
      { label: '类别', value: text(r['category']) },
      { label: '状态', value: text(r['status']) },
      { label: '申请单位', value: text(r['unitName']) },
      { label: '发布对象', value: `${text(r['audienceType'])}：${text(r['audience'])}` },
      { label: '发布范围', value: text(r['scope']) },
      { label: '主管单位', value: text(r['ownerUnitName']) },
      { label: '发布单位', value: text(r['releaseUnitName']) },
      { label: '发布目的', value: text(r['purpose']), wide: true },
    ];
  }
  if (link.startsWith('/data-release/outside/')) {
    const datasets = Array.isArray(r['datasets'])
      ? (r['datasets'] as Json[])
          .map((d) => `${text(d['name'])}（${text(d['ownerUnitName'])}）`)
          .join('；')
      : '—';
    const opinions = Array.isArray(r['opinions'])
      ? (r['opinions'] as Json[])
          .map((o) => `${text(o['unitName'])}：${text(o['opinion'])}`)
          .join('；')
      : '';
    return [
      { label: '来函单位', value: `${text(r['organName'])}（${text(r['organKind'])}）` },
      { label: '来函文号', value: text(r['letterRef']) },
      { label: '收文日期', value: text(r['receivedOn']) },
      { label: '状态', value: text(r['status']) },
      { label: '联系人', value: `${text(r['contactName'])}（${text(r['contactPhone'])}）` },
      { label: '所需数据', value: datasets || '—', wide: true },
      { label: '用途', value: text(r['purpose']), wide: true },
      { label: '已有意见', value: opinions || '—', wide: true },
    ];
  }
  if (link.startsWith('/data-requests/')) {
    const datasets = Array.isArray(r['datasets'])
      ? (r['datasets'] as Json[])
          .map((d) => `${text(d['name'])}（${text(d['code'])}，${text(d['secrecy'])}）`)
          .join('；')
      : '—';
    const p = (r['provision'] ?? null) as Json | null;
    return [
      { label: '标题', value: text(r['title']) },
      { label: '状态', value: text(r['status']) },
      { label: '申请单位', value: text(r['unitName']) },
      { label: '申请时间', value: when(r['createdAt']) },
      {
        label: '数据范围',
        value: `${text(r['regionName'])}${r['regionCode'] ? '（' + String(r['regionCode']) + '）' : ''}`,
      },
      { label: '使用期限', value: `${text(r['periodFrom'])} 至 ${text(r['periodTo'])}` },
      { label: '数据格式', value: text(r['format']) },
      { label: '联系人', value: `${text(r['contactName'])}（${text(r['contactPhone'])}）` },
      { label: '申请的数据', value: datasets || '—', wide: true },
      { label: '用途', value: text(r['purpose']), wide: true },
      ...(p
        ? [
            { label: '数据文件', value: text(p['fileName']) },
            { label: '有效期至', value: text(p['expiresAt']) },
            { label: '提供时间', value: when(p['providedAt']) },
            { label: '确认接收', value: p['receivedAt'] ? when(p['receivedAt']) : '尚未确认' },
          ]
        : []),
    ];
  }
  if (link.startsWith('/approvals/')) {
    return [
      { label: '受理编号', value: text(r['caseNo']) },
      { label: '标题', value: text(r['title']) },
      { label: '状态', value: text(r['status']) },
      { label: '事项类型', value: text(r['matterType']) },
      { label: '申请人', value: text(r['applicant']) },
      { label: '联系方式', value: text(r['applicantContact']) },
      { label: '坐落', value: text(r['location']) },
      { label: '用地面积', value: r['landArea'] ? `${String(r['landArea'])} 公顷` : '—' },
      { label: '受理日期', value: when(r['acceptedAt']) },
      { label: '受理单位', value: `${text(r['unitName'])}（${text(r['acceptedByName'])}）` },
      { label: '市级审核', value: text(r['cityUnitName']) },
      { label: '省级审批', value: text(r['provinceUnitName']) },
      { label: '申请说明', value: text(r['description']), wide: true },
    ];
  }
  return [];
}
