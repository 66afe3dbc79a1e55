import { checkPassword } from '@zhengwu/contracts';

/** The api's password rule, checked at the field before sending; and the repeat must match. */
export function passwordProblem(
  next: string,
  again: string,
  username?: string,
  minLength = 10,
): { field: 'newPassword' | 'again'; message: string } | null {
  const problem = checkPassword(next, { minLength }, username);
  if (problem) return { field: 'newPassword', message: problem };
  if (next !== again) return { field: 'again', message: '两次输入的新密码不一致' };
  return null;
}
