/**
 * What each step of the platform's processes asks of the person completing it, beyond the opinion: the domain's
 * words for its buttons, opinions the feature insists on, and the extra form variables some steps need
 * (批办's 承办人, 信息中心's data delivery, a leading-group vote's referral). Read from bpmn/*.bpmn and the feature
 * services' task listeners. No Angular; tested in step-forms.logic.spec.ts.
 */
import type { TaskAction } from './task-actions.logic';

export type StepKind =
  /** Nothing beyond the opinion. */
  | 'plain'
  /** 收文 批办: 同意 names the 承办人 of the receiving unit (variables.handler). */
  | 'handler'
  /** 数据使用申请 信息中心提供数据: file name, link and expiry (variables.fileName/link/expiresAt). */
  | 'provide'
  /** 信息化项目立项 领导小组表决: 同意/不同意, and the chair may refer it to a collective decision. */
  | 'vote'
  /** 信息化项目立项 信息办审查: an opinion is required; the page shows possible duplicates. */
  | 'office-review'
  /** 信息化项目立项 记录集体决定: the decision's text is required. */
  | 'secretary'
  /** A step whose record is edited and resubmitted on its own page (拟稿, 填报, 修改申报, 受理 …). */
  | 'record';

export interface StepForm {
  kind: StepKind;
  /** The domain's words for this step's buttons; the others keep their usual labels. */
  labels: Partial<Record<TaskAction, string>>;
  /** Operations that need an opinion at this step besides 退回 and 驳回 (which always do). */
  opinionRequired: TaskAction[];
  /** What the opinion is called here (办理意见 unless the step says otherwise). */
  opinionLabel: string;
  /** One line saying what this step decides, or where it is done. */
  hint: string | null;
  /** The holder of this step may add attachments to the record (the feature's rule; the api decides). */
  canUpload: boolean;
}

export interface StepRef {
  processKey: string;
  /** The step's name (任务名), e.g. 核稿. */
  name: string;
  formKey?: string | null;
  /** The BPMN activity id, when the api gives it; else the step is known by its name. */
  activityId?: string | null;
}

const PLAIN: StepForm = {
  kind: 'plain',
  labels: {},
  opinionRequired: [],
  opinionLabel: '办理意见',
  hint: null,
  canUpload: false,
};

const step = (extra: Partial<StepForm>): StepForm => ({ ...PLAIN, ...extra });

/** Steps by process and step name (the names in bpmn/*.bpmn). */
const STEPS: Record<string, Record<string, StepForm>> = {
  'document-exchange': {
    拟稿: step({
      kind: 'record',
      labels: { approve: '送核稿' },
      hint: '请先在公文页面修改正文和附件，再点“送核稿”',
      canUpload: true,
    }),
    核稿: step({ hint: '同意后送会签（如有会签单位）或送签发；驳回将撤销该公文' }),
    会签: step({
      labels: { reject: '不同意' },
      hint: '会签意见：同意，或不同意（须写明理由，公文将退回拟稿人修改）',
    }),
    签发: step({
      labels: { approve: '签发', reject: '不予签发' },
      hint: '签发后编发文字号、排版并分发',
    }),
    信息办审核: step({
      labels: { approve: '审核通过，报领导小组', return: '退回修改', reject: '退回修改' },
      opinionRequired: ['approve'],
      opinionLabel: '审核意见',
      hint: '以部或部办公厅名义印发的信息化相关文件：审核通过后报信息化领导小组批准，退回则由拟稿人修改',
    }),
    领导小组批准: step({
      kind: 'vote',
      labels: { approve: '同意', reject: '不同意' },
      opinionLabel: '表决意见',
      hint: '请本人表决是否同意印发（表决不能由他人代为办理）；过半数同意即批准，过半数不同意则退回修改',
    }),
    记录集体决定: step({
      kind: 'secretary',
      labels: { approve: '决定批准印发', reject: '决定不予批准' },
      opinionRequired: ['approve', 'reject'],
      opinionLabel: '集体决定内容',
      hint: '记录领导小组集体决定的内容后提交；不予批准的公文退回拟稿人修改',
    }),
  },
  'document-receipt': {
    签收: step({
      labels: { approve: '签收', reject: '退文' },
      hint: '签收后送拟办；退文须写明理由',
    }),
    拟办: step({
      labels: { approve: '提交批办' },
      opinionRequired: ['approve'],
      opinionLabel: '拟办意见',
      hint: '写明拟办意见后提交领导批办',
    }),
    批办: step({
      kind: 'handler',
      labels: { approve: '交承办', return: '退回拟办' },
      opinionLabel: '批办意见',
      hint: '交承办时须指定本单位的承办人',
    }),
    承办: step({
      labels: { approve: '办结' },
      opinionLabel: '办理情况',
      hint: '办理完毕后点“办结”',
    }),
  },
  'three-level-approval': {
    县级受理: step({ kind: 'record', hint: '受理请在审批案件页面办理', canUpload: true }),
    县级审查: step({
      labels: { approve: '同意报市', return: '退回补正', reject: '不予批准' },
      hint: '同意后报市级审核',
      canUpload: true,
    }),
    市级审核: step({
      labels: { approve: '同意报省', return: '退回县级', reject: '不予批准' },
      hint: '同意后报省级审批',
    }),
    省级审批: step({
      labels: { approve: '批准', return: '退回市级', reject: '不予批准' },
      hint: '省级决定：批准或不予批准',
    }),
  },
  'project-initiation': {
    单位领导审批: step({
      labels: { approve: '同意申报', return: '退回修改', reject: '不同意申报' },
      hint: '同意后送信息办审查',
    }),
    修改申报: step({
      kind: 'record',
      labels: { approve: '重新提交', reject: '撤回申报' },
      hint: '请在项目页面按意见修改后重新提交；撤回申报将结束本次申报',
      canUpload: true,
    }),
    信息办审查: step({
      kind: 'office-review',
      labels: { approve: '建议立项', return: '退回修改', reject: '建议不予立项' },
      opinionRequired: ['approve', 'reject'],
      opinionLabel: '审查意见',
      hint: '须填写审查意见；建议立项或不予立项都将提请领导小组表决',
    }),
    领导小组表决: step({
      kind: 'vote',
      labels: { approve: '同意', reject: '不同意' },
      opinionLabel: '表决意见',
      hint: '请本人表决：同意或不同意立项（表决不能由他人代为办理）',
    }),
    记录集体决定: step({
      kind: 'secretary',
      labels: { approve: '决定立项', reject: '决定不予立项' },
      opinionRequired: ['approve', 'reject'],
      opinionLabel: '集体决定内容',
      hint: '记录领导小组集体决定的内容后提交',
    }),
  },
  'work-plan': {
    领导小组审议工作要点: step({
      kind: 'vote',
      labels: { approve: '同意', reject: '不同意' },
      opinionLabel: '表决意见',
      hint: '请本人表决年度信息化工作要点：同意或不同意（多数不同意则退回信息办修改）',
    }),
    记录集体决定: step({
      kind: 'secretary',
      labels: { approve: '决定通过', reject: '决定退回修改' },
      opinionRequired: ['approve', 'reject'],
      opinionLabel: '集体决定内容',
      hint: '记录领导小组集体决定的内容后提交',
    }),
    修改工作要点: step({
      kind: 'record',
      labels: { approve: '重新提请审议', reject: '撤回' },
      hint: '请在工作要点页面按意见修改后重新提请审议；撤回将结束本次审议',
    }),
    领导小组审阅年度评估: step({
      labels: { approve: '已审阅' },
      opinionLabel: '审阅意见',
      hint: '请审阅信息办汇总的年度评估（在工作要点页面查看），填写意见后提交；审阅后信息办拟制通报',
    }),
  },
  'plan-filing': {
    '填报（补正）': step({
      kind: 'record',
      labels: { approve: '报送' },
      hint: '请在备案页面修改后报送',
      canUpload: true,
    }),
    单位领导签发: step({
      labels: { approve: '同意报备', return: '退回修改' },
      hint: '同意后报信息办备案登记',
    }),
    信息办备案登记: step({
      labels: { approve: '予以备案', return: '要求补正' },
      hint: '予以备案后生成备案号和备案回执',
    }),
  },
  'data-release': {
    主管司局审核: step({ labels: { reject: '不同意发布' }, hint: '同意后送信息办以部名义批准' }),
    '信息办批准（以部名义）': step({
      labels: { approve: '批准', reject: '不予批准' },
      hint: '批准后由发布单位发布',
    }),
    发布数据: step({
      labels: { approve: '已发布' },
      hint: '选择发布渠道、填写发布地址后点“已发布”，发布记录进入发布登记',
    }),
  },
  'data-outside-request': {
    数据生产单位意见: step({
      labels: { approve: '提交意见' },
      hint: '选择是否同意提供，并在意见中说明可提供的范围',
    }),
    信息办拟复函: step({ kind: 'record', hint: '请在数据需求页面起草复函' }),
  },
  'data-request': {
    '填写申请（修改）': step({
      kind: 'record',
      labels: { approve: '重新提交' },
      hint: '请在申请页面修改后重新提交',
      canUpload: true,
    }),
    单位领导签批: step({ labels: { reject: '不同意' }, hint: '同意后送信息办审核' }),
    信息办审核: step({ labels: { reject: '不予提供' }, hint: '同意后征求数据主管司局意见' }),
    数据主管司局审核: step({
      labels: { reject: '不同意' },
      hint: '各数据主管司局均同意后由信息中心提供数据；任一不同意即不予提供',
    }),
    信息中心提供数据: step({
      kind: 'provide',
      labels: { approve: '提供数据', reject: '不予提供' },
      hint: '填写提供的数据文件和有效期后点“提供数据”',
      canUpload: true,
    }),
    申请单位确认接收: step({
      labels: { approve: '确认接收' },
      hint: '确认接收后生成数据提供交接单',
    }),
  },
};

/** Activity ids of the same steps, for when the api gives the id. */
const BY_ACTIVITY: Record<string, Record<string, string>> = {
  'document-exchange': {
    draft: '拟稿',
    review: '核稿',
    countersign: '会签',
    itOfficeReview: '信息办审核',
    itVote: '领导小组批准',
    itDecision: '记录集体决定',
    sign: '签发',
  },
  'document-receipt': { receive: '签收', propose: '拟办', instruct: '批办', handle: '承办' },
  'three-level-approval': {
    accept: '县级受理',
    countyReview: '县级审查',
    cityReview: '市级审核',
    provinceDecision: '省级审批',
  },
  'project-initiation': {
    leaderApproval: '单位领导审批',
    revise: '修改申报',
    officeReview: '信息办审查',
    vote: '领导小组表决',
    secretaryDecision: '记录集体决定',
  },
  'plan-filing': { draft: '填报（补正）', sign: '单位领导签发', register: '信息办备案登记' },
  'work-plan': {
    vote: '领导小组审议工作要点',
    secretaryDecision: '记录集体决定',
    revise: '修改工作要点',
    groupReview: '领导小组审阅年度评估',
  },
  'data-release': {
    review: '主管司局审核',
    approve: '信息办批准（以部名义）',
    release: '发布数据',
  },
  'data-outside-request': { opinion: '数据生产单位意见', draftReply: '信息办拟复函' },
  'data-request': {
    apply: '填写申请（修改）',
    sign: '单位领导签批',
    review: '信息办审核',
    consult: '数据主管司局审核',
    provide: '信息中心提供数据',
    confirm: '申请单位确认接收',
  },
};

export function stepForm(ref: StepRef): StepForm {
  if (ref.formKey === 'document-instruct') return STEPS['document-receipt']['批办'];
  const steps = STEPS[ref.processKey];
  if (!steps) return PLAIN;
  const name = (ref.activityId && BY_ACTIVITY[ref.processKey]?.[ref.activityId]) || ref.name;
  return steps[name] ?? PLAIN;
}

/** The extra inputs of a step, as the page holds them. */
export interface StepExtras {
  /** 批办: the 承办人's id. */
  handler?: string | null;
  /** 提供数据. */
  fileName?: string;
  link?: string;
  expiresAt?: Date | null;
  /** 表决: the chair refers the project to a collective decision. */
  referToSecretary?: boolean;
}

/** A day as YYYY-MM-DD in local time. */
function day(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

const LINK = /^(https?|ftp|sftp):\/\/\S+$/;

/**
 * Field messages (handler, fileName, link, expiresAt) before sending; empty when complete. `today` and the optional
 * `periodTo` (the request's last day of use) as YYYY-MM-DD.
 */
export function validateStep(
  kind: StepKind,
  action: TaskAction,
  extras: StepExtras,
  context: { today: string; periodTo?: string | null },
): Record<string, string> {
  const errors: Record<string, string> = {};
  if (action !== 'approve') return errors;
  if (kind === 'handler' && !extras.handler) errors['handler'] = '请选择承办人';
  if (kind === 'provide') {
    const name = extras.fileName?.trim() ?? '';
    if (!name) errors['fileName'] = '请填写提供的数据文件名';
    else if (name.length > 200) errors['fileName'] = '数据文件名不能超过 200 个字';
    const link = extras.link?.trim() ?? '';
    if (link && (link.length > 500 || !LINK.test(link)))
      errors['link'] = '下载地址须为 http(s)、ftp 或 sftp 链接';
    if (!extras.expiresAt) errors['expiresAt'] = '请选择数据有效期';
    else {
      const until = day(extras.expiresAt);
      if (until <= context.today) errors['expiresAt'] = '有效期须晚于今天';
      else if (context.periodTo && until > context.periodTo)
        errors['expiresAt'] = `不能晚于申请的使用期限（${context.periodTo}）`;
    }
  }
  return errors;
}

/** The form variables an operation brings at this step (none for most). */
export function stepVariables(
  kind: StepKind,
  action: TaskAction,
  extras: StepExtras,
): Record<string, unknown> | undefined {
  if (kind === 'handler' && action === 'approve' && extras.handler)
    return { handler: extras.handler };
  if (kind === 'provide' && action === 'approve') {
    const variables: Record<string, unknown> = { fileName: extras.fileName?.trim() ?? '' };
    const link = extras.link?.trim();
    if (link) variables['link'] = link;
    if (extras.expiresAt) variables['expiresAt'] = day(extras.expiresAt);
    return variables;
  }
  // A vote is 同意 or 不同意; either may carry the chair's referral.
  if (kind === 'vote' && (action === 'approve' || action === 'reject') && extras.referToSecretary)
    return { referToSecretary: true };
  return undefined;
}

/** The step's fields the api may name in a 400 (`variables.fileName` …), as this page's field keys. */
export const STEP_FIELDS = [
  'handler',
  'fileName',
  'link',
  'expiresAt',
  'referToSecretary',
] as const;

/**
 * Only the leading group's 组长 may refer a vote to 集体决定; the case names the chair (groupChair, set when
 * 信息办 sends the proposal to the vote). The api refuses anyone else (REFER_NOT_ALLOWED).
 */
export function canReferToSecretary(
  form: Record<string, unknown>,
  userId: string | undefined,
): boolean {
  return typeof userId === 'string' && form['groupChair'] === userId;
}

/** 表决 progress from the case's variables (voters, votesCast, votesApprove, votesReject). */
export function voteTally(
  form: Record<string, unknown>,
): { voters: number; cast: number; approve: number; reject: number } | null {
  const voters = Array.isArray(form['voters']) ? form['voters'].length : 0;
  if (voters === 0) return null;
  const n = (key: string) => (typeof form[key] === 'number' ? (form[key] as number) : 0);
  return { voters, cast: n('votesCast'), approve: n('votesApprove'), reject: n('votesReject') };
}

/**
 * What the history says happened, where a plain 同意 would say too little: per process and step (as named for
 * that pass — see historySteps), the words for an action.
 */
const HISTORY_WORDS: Record<string, Record<string, Partial<Record<string, string>>>> = {
  'document-exchange': {
    拟稿: { approve: '拟稿完成' },
    核稿: { approve: '核稿同意', reject: '核稿不同意（撤销）' },
    会签: { approve: '会签同意', reject: '会签不同意' },
    签发: { approve: '签发', reject: '不予签发' },
    用印: { approve: '用印' },
    信息办审核: { approve: '信息办审核通过', return: '信息办退回修改', reject: '信息办退回修改' },
    领导小组批准: { approve: '表决同意', reject: '表决不同意' },
    记录集体决定: { approve: '集体决定批准印发', reject: '集体决定不予批准' },
  },
  'document-receipt': {
    签收: { approve: '签收', reject: '退文' },
    拟办: { approve: '提出拟办意见' },
    批办: { approve: '批办，交承办', return: '退回拟办' },
    承办: { approve: '办结' },
  },
  'plan-filing': {
    填报: { approve: '提交' },
    补正: { approve: '补正后重新报送' },
    单位领导签发: { approve: '同意报备' },
  },
  'data-request': {
    填写申请: { approve: '提交申请' },
    修改: { approve: '修改后重新提交' },
  },
  'project-initiation': {
    单位领导审批: { approve: '同意申报' },
    修改申报: { approve: '修改后重新提交' },
  },
};

/** A step name that says both passes, e.g. 填报（补正）: the first pass and the later ones. */
const TWO_PASSES = /^(.+)（(.+)）$/;

export interface HistoryStepRow {
  taskName: string | null;
  action: string;
}

/**
 * Each history row's step name for its pass (填报 the first time, 补正 after a return) and the words for what was
 * done there (提交, 核稿同意, 签发 …); undefined words fall back to the step's button label, then to the action.
 */
export function historySteps(
  processKey: string,
  rows: readonly HistoryStepRow[],
  fallback: (action: string) => string,
): { step: string; text: string }[] {
  const completions = new Map<string, number>();
  return rows.map((row) => {
    const name = row.taskName ?? '';
    const passes = TWO_PASSES.exec(name);
    const done = completions.get(name) ?? 0;
    if (row.action === 'approve' || row.action === 'reject') completions.set(name, done + 1);
    const step = passes ? (done === 0 ? passes[1] : passes[2]) : name || '办理';
    const words = HISTORY_WORDS[processKey]?.[step]?.[row.action];
    const label = name
      ? stepForm({ processKey, name }).labels[row.action as TaskAction]
      : undefined;
    return { step, text: words ?? label ?? fallback(row.action) };
  });
}
