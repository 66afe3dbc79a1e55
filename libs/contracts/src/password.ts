/** The password rule, shared by the api (which enforces it) and the web (which checks at the field). */
export interface PasswordPolicy {
  minLength: number;
}

/** Returns what is wrong with the password in words a person can act on, or null when it is acceptable. */
export function checkPassword(password: string, policy: PasswordPolicy, username?: string): string | null {
  if (password.length < policy.minLength) return `密码长度至少为 ${policy.minLength} 位`;
  if (password.length > 128) return '密码长度不能超过 128 位';
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^a-zA-Z0-9]/].filter((re) => re.test(password)).length;
  if (classes < 3) return '密码须包含大写字母、小写字母、数字、特殊字符中的至少三类';
  if (username && password.toLowerCase().includes(username.toLowerCase())) return '密码不能包含用户名';
  return null;
}
