/** Pure rules of 通讯录 (no Angular), tested in directory.logic.spec.ts. */

export interface DirectoryUnit {
  id: string;
  parentId: string | null;
  name: string;
  kind: string;
  path: string;
}

export interface UnitTreeNode {
  key: string;
  title: string;
  children: UnitTreeNode[];
  isLeaf: boolean;
  expanded: boolean;
}

/** The flat unit list as a tree for nz-tree; the top levels open. */
export function unitTree(units: DirectoryUnit[]): UnitTreeNode[] {
  const nodes = new Map<string, UnitTreeNode>();
  for (const u of units)
    nodes.set(u.id, { key: u.id, title: u.name, children: [], isLeaf: true, expanded: false });
  const roots: UnitTreeNode[] = [];
  for (const u of units) {
    const node = nodes.get(u.id)!;
    const parent = u.parentId ? nodes.get(u.parentId) : undefined;
    if (parent) {
      parent.children.push(node);
      parent.isLeaf = false;
    } else roots.push(node);
  }
  for (const r of roots) r.expanded = true;
  return roots;
}

/** The api's rules for a person's own contact details; empty clears. */
export function contactErrors(form: { officePhone: string; email: string }): {
  officePhone?: string;
  email?: string;
} {
  const errors: { officePhone?: string; email?: string } = {};
  const phone = form.officePhone.trim();
  if (phone && !/^[0-9+()（） -]{3,32}$/.test(phone))
    errors.officePhone = '办公电话只能含数字、空格、+、-、括号，3–32 位';
  const mail = form.email.trim();
  if (mail && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(mail)) errors.email = '电子邮箱格式不正确';
  return errors;
}
