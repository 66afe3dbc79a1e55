/**
 * The approver's operations as the task page shows them: labels, which inputs each needs, checks before sending and
 * the request body. Plain functions (no Angular), tested in task-actions.logic.spec.ts.
 */

export type TaskAction =
  | 'approve'
  | 'return'
  | 'reject'
  | 'claim'
  | 'unclaim'
  | 'transfer'
  | 'delegate'
  | 'resolve'
  | 'cc'
  | 'withdraw'
  | 'urge'
  | 'add-signer'
  | 'remove-signer';

/** Button order on the task page: the decision first, then the hand-overs, then the rest. */
export const ACTION_ORDER: TaskAction[] = [
  'approve',
  'return',
  'reject',
  'claim',
  'unclaim',
  'resolve',
  'transfer',
  'delegate',
  'add-signer',
  'remove-signer',
  'cc',
  'withdraw',
  'urge',
];

export const ACTION_LABELS: Record<TaskAction, string> = {
  approve: '同意',
  return: '退回',
  reject: '驳回',
  claim: '认领',
  unclaim: '释放',
  transfer: '转办',
  delegate: '委派',
  resolve: '委派办结',
  cc: '抄送',
  withdraw: '撤回',
  urge: '催办',
  'add-signer': '加签',
  'remove-signer': '减签',
};

/** Labels of the history's recorded actions (task_actions.action), which include the added signers' own. */
const HISTORY_LABELS: Record<string, string> = {
  ...ACTION_LABELS,
  sign: '加签同意',
  'sign-return': '加签退回',
  'sign-reject': '加签不同意',
  // 无人办理的任务 assigned by the system administrator.
  assign: '管理员指派',
};

export function historyLabel(action: string): string {
  return HISTORY_LABELS[action] ?? action;
}

/** What an operation asks for besides the opinion. */
export interface ActionInputs {
  /** An opinion is required (退回, 驳回). */
  needsComment: boolean;
  /** One step to return to. */
  needsStep: boolean;
  /** One person (转办, 委派). */
  needsPerson: boolean;
  /** Several people (抄送, 加签) or signers to remove (减签). */
  needsPeople: boolean;
  /** 加签 before or after. */
  needsPosition: boolean;
  /** Asks for confirmation first because it cannot be undone by the caller. */
  confirm: boolean;
}

export function actionInputs(action: TaskAction): ActionInputs {
  return {
    needsComment: action === 'return' || action === 'reject',
    needsStep: action === 'return',
    needsPerson: action === 'transfer' || action === 'delegate',
    needsPeople: action === 'cc' || action === 'add-signer' || action === 'remove-signer',
    needsPosition: action === 'add-signer',
    confirm: action === 'reject' || action === 'withdraw',
  };
}

/** Operations that open a dialog for a person, a step or a position before sending. */
export function needsDialog(action: TaskAction): boolean {
  const i = actionInputs(action);
  return i.needsStep || i.needsPerson || i.needsPeople || i.needsPosition;
}

export interface ActionInput {
  comment?: string;
  /** Step id (退回) or person id (转办/委派). */
  target?: string | null;
  targets?: string[];
  position?: 'before' | 'after' | null;
  /** Form variables the step brings (step-forms.logic: 承办人, 提供数据, 表决). */
  variables?: Record<string, unknown>;
}

export interface ActionContext {
  returnTargets?: { activityId: string; name: string }[];
  /** The caller's own id: one may not hand a task to oneself. */
  selfId?: string;
  /** The step's words for its buttons (step-forms.logic). */
  labels?: Partial<Record<TaskAction, string>>;
  /** Operations that need an opinion at this step besides 退回 and 驳回. */
  opinionRequired?: TaskAction[];
  /** What the opinion is called at this step. */
  opinionLabel?: string;
}

/** The button's words: the step's own, else the usual. */
export function actionLabel(
  action: TaskAction,
  labels: Partial<Record<TaskAction, string>> = {},
): string {
  return labels[action] ?? ACTION_LABELS[action];
}

/** Field messages (field → what to do) before anything is sent; empty when the input is complete. */
export function validateAction(
  action: TaskAction,
  input: ActionInput,
  context: ActionContext = {},
): Record<string, string> {
  const errors: Record<string, string> = {};
  const inputs = actionInputs(action);
  if (!input.comment?.trim()) {
    const label = actionLabel(action, context.labels);
    if (action === 'return') errors['comment'] = '请填写退回意见，说明需要修改之处';
    else if (action === 'reject')
      errors['comment'] = label === '驳回' ? '请填写驳回理由' : `请填写“${label}”的理由`;
    else if (context.opinionRequired?.includes(action))
      errors['comment'] = `请填写${context.opinionLabel ?? '办理意见'}`;
  }
  if (inputs.needsStep && (context.returnTargets?.length ?? 0) > 1 && !input.target)
    errors['target'] = '请选择退回到的环节';
  if (inputs.needsPerson) {
    if (!input.target)
      errors['target'] = action === 'transfer' ? '请选择转办给谁' : '请选择委派给谁';
    else if (input.target === context.selfId)
      errors['target'] = action === 'transfer' ? '不能转办给自己' : '不能委派给自己';
  }
  if (inputs.needsPeople && !(input.targets?.length ?? 0))
    errors['targets'] = {
      cc: '请选择抄送人员',
      'add-signer': '请选择加签人员',
      'remove-signer': '请选择要减签的人员',
    }[action as 'cc' | 'add-signer' | 'remove-signer'];
  if (action === 'add-signer' && context.selfId && input.targets?.includes(context.selfId))
    errors['targets'] = '不能为自己加签';
  if (inputs.needsPosition && !input.position) errors['position'] = '请选择前加签或后加签';
  return errors;
}

export interface ActionBody {
  action: TaskAction;
  comment?: string;
  target?: string;
  targets?: string[];
  position?: 'before' | 'after';
  variables?: Record<string, unknown>;
}

/** The body of POST /api/tasks/:id/actions with only what the action uses. */
export function actionBody(
  action: TaskAction,
  input: ActionInput,
  context: ActionContext = {},
): ActionBody {
  const body: ActionBody = { action };
  const comment = input.comment?.trim();
  if (comment) body.comment = comment;
  const inputs = actionInputs(action);
  if (inputs.needsStep) {
    const only =
      context.returnTargets?.length === 1 ? context.returnTargets[0].activityId : undefined;
    const target = input.target || only;
    if (target) body.target = target;
  }
  if (inputs.needsPerson && input.target) body.target = input.target;
  if (inputs.needsPeople) body.targets = [...new Set(input.targets ?? [])];
  if (inputs.needsPosition && input.position) body.position = input.position;
  if (input.variables && Object.keys(input.variables).length > 0) body.variables = input.variables;
  return body;
}

/** The ordered buttons for what the api allows now (unknown names are left out), in the step's words. */
export function actionButtons(
  allowed: readonly string[],
  labels: Partial<Record<TaskAction, string>> = {},
): { action: TaskAction; label: string }[] {
  return ACTION_ORDER.filter((a) => allowed.includes(a)).map((action) => ({
    action,
    label: actionLabel(action, labels),
  }));
}

/** 常用语: a click puts the phrase into the opinion box. */
export const COMMON_PHRASES = [
  '同意。',
  '拟同意，请领导审批。',
  '请补充材料后重新提交。',
  '请修改后再报。',
  '已阅。',
  '请按规定办理。',
  '不同意。',
];

/**
 * The opinion after a phrase is put in at the caret (replacing a selection), and where the caret goes; at the end
 * when the box never had the caret.
 */
export function insertPhrase(
  text: string,
  phrase: string,
  selection?: { start: number; end: number } | null,
): { text: string; caret: number } {
  const start = Math.min(Math.max(selection?.start ?? text.length, 0), text.length);
  const end = Math.min(Math.max(selection?.end ?? start, start), text.length);
  const next = text.slice(0, start) + phrase + text.slice(end);
  return { text: next, caret: start + phrase.length };
}

/** The message after an operation went through. */
export function doneMessage(
  action: TaskAction,
  labels: Partial<Record<TaskAction, string>> = {},
): string {
  const label = actionLabel(action, labels);
  return /^(不|建议|决定)/.test(label) ? `已提交“${label}”` : `已${label}`;
}

/**
 * Operations after which the task stays with the caller: the page reloads instead of going back to the inbox.
 * 后加签 keeps it (the signers sign after my 同意); 前加签 hands it to the first signer now.
 */
export function staysOnPage(action: TaskAction, position?: 'before' | 'after' | null): boolean {
  if (action === 'add-signer') return position === 'after';
  return ['claim', 'unclaim', 'urge', 'cc', 'remove-signer'].includes(action);
}

/** The api's rules for a person's 常用语, per row (undefined where the row is fine). */
export function phraseErrors(rows: readonly string[]): (string | undefined)[] {
  const seen = new Set<string>();
  return rows.map((row) => {
    const p = row.trim();
    if (!p) return '常用语不能为空';
    if (p.length > 100) return '每条常用语不能超过 100 个字';
    if (seen.has(p)) return '与前面的常用语重复';
    seen.add(p);
    return undefined;
  });
}
