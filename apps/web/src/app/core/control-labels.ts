/**
 * Names for the controls ng-zorro draws itself and leaves unnamed (WCAG 1.3.1, 4.1.2; axe rules `label` and
 * `button-name`): the search input inside every nz-select and nz-tree-select, the hidden focus input of nz-tree,
 * the page-size select of nz-pagination and the expand button of table rows. A page can name a select itself with
 * aria-label on its host; otherwise the name comes from its form label, its placeholder or the chosen value. Pages
 * keep labelling their own inputs; this only fills in what the framework's markup gives no way to set.
 */
const HOSTS =
  'nz-select, nz-tree-select, nz-date-picker, nz-range-picker, nz-tree, nz-input-number, nz-cascader';

function text(el: Element | null | undefined): string {
  return (el?.textContent ?? '').replace(/\s+/g, ' ').trim();
}

function hasName(input: HTMLInputElement): boolean {
  return !!(
    input.getAttribute('aria-label') ||
    input.getAttribute('aria-labelledby') ||
    input.labels?.length ||
    input.placeholder ||
    input.title
  );
}

/** The best name the surroundings give: the host's own aria-label, the form label, the placeholder, the value. */
function nameFor(input: HTMLInputElement): string {
  const host = input.closest(HOSTS);
  if (input.closest('.ant-pagination-options-size-changer')) return '每页条数';
  const own = host?.getAttribute('aria-label');
  if (own) return own;
  const formLabel = text(
    input
      .closest('nz-form-item, .ant-form-item')
      ?.querySelector('nz-form-label, .ant-form-item-label'),
  );
  if (formLabel) return formLabel;
  const placeholder =
    host?.getAttribute('nzplaceholder') ||
    text(host?.querySelector('.ant-select-selection-placeholder')) ||
    host?.querySelector('input[placeholder]')?.getAttribute('placeholder');
  if (placeholder) return placeholder;
  if (host?.tagName === 'NZ-TREE') return '树形列表';
  const chosen = text(host?.querySelector('.ant-select-selection-item'));
  return chosen ? `选择：${chosen}` : '选择';
}

function labelAll(root: ParentNode): void {
  for (const input of Array.from(root.querySelectorAll<HTMLInputElement>(`:is(${HOSTS}) input`))) {
    if (!hasName(input)) input.setAttribute('aria-label', nameFor(input));
  }
  for (const input of Array.from(
    root.querySelectorAll<HTMLInputElement>('.ant-pagination input'),
  )) {
    if (!hasName(input)) input.setAttribute('aria-label', '页码');
  }
  for (const button of Array.from(
    root.querySelectorAll('button.ant-table-row-expand-icon:not([aria-label])'),
  )) {
    button.setAttribute('aria-label', '展开或收起');
  }
}

/** Watches the document and names such controls as they appear (pages and dialogs are drawn after start). */
export function labelFrameworkControls(doc: Document = document): void {
  let pending = false;
  const run = () => {
    pending = false;
    labelAll(doc.body);
  };
  new MutationObserver(() => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(run);
  }).observe(doc.body, { childList: true, subtree: true });
  run();
}
