import type { Page } from 'playwright-core';

/**
 * What a person does on the inbox and the task page, in the words of the page: find the case in
 * 待办 by its title (and step), open it, write an opinion and press the step's button.
 */
export async function openTask(page: Page, title: string, step?: string): Promise<void> {
  await page.goto('/inbox');
  await page.getByTestId('inbox-table').waitFor();
  let rows = page.getByTestId('inbox-row').filter({ hasText: title });
  if (step) rows = rows.filter({ hasText: step });
  await rows.first().getByTestId('inbox-open').click();
  await page.getByTestId('task-title').waitFor();
  if (step) await page.getByTestId('task-step').filter({ hasText: step }).waitFor();
}

const DIALOG_ACTIONS = ['return', 'reject', 'withdraw', 'transfer', 'delegate', 'cc', 'add-signer', 'remove-signer'];

/** Writes the opinion, presses the action's button and waits until the page confirms it. */
export async function act(page: Page, action: string, opinion: string): Promise<void> {
  await page.getByTestId('opinion').fill(opinion);
  await page.getByTestId(`action-${action}`).click();
  // 退回/驳回 and the hand-overs ask again in a dialog, with the opinion carried into it.
  if (DIALOG_ACTIONS.includes(action)) {
    await page.getByTestId('action-dialog').waitFor();
    await page.locator('.ant-modal-footer button.ant-btn-primary').click();
  }
  await page.locator('.ant-message-success').first().waitFor();
}

/** Polls a page by reloading until the text shows (work done by the workers in the background). */
export async function reloadUntil(page: Page, text: string | RegExp, timeoutMs = 30_000): Promise<void> {
  const started = Date.now();
  for (;;) {
    if (
      await page
        .getByText(text)
        .first()
        .isVisible()
        .catch(() => false)
    )
      return;
    if (Date.now() - started > timeoutMs) throw new Error(`"${String(text)}" did not show on ${page.url()} within ${timeoutMs} ms`);
    await page.waitForTimeout(500);
    await page.reload();
    await page.waitForLoadState('networkidle');
  }
}

/** Picks an option of an ng-zorro select or tree-select: open it, type to search, click the option. */
export async function choose(page: Page, inputId: string, search: string, option: string): Promise<void> {
  await page.locator(`#${inputId}`).click();
  await page.locator(`#${inputId}`).pressSequentially(search);
  const item = page
    .locator('.ant-select-item-option:visible, .ant-select-tree-node-content-wrapper:visible')
    .filter({ hasText: option })
    .first();
  await item.click();
  await page.keyboard.press('Escape');
}
