import { checkPassword } from './password-policy';

describe('password policy', () => {
  const policy = { minLength: 10 };

  it('accepts a long password with three character classes', () => {
    expect(checkPassword('Guotu2015ziyuan', policy)).toBeNull();
  });

  it('rejects a password shorter than the minimum, naming the length', () => {
    expect(checkPassword('Ab1!', policy)).toContain('10');
  });

  it('rejects a long password with only two classes', () => {
    expect(checkPassword('abcdefghij12', policy)).toContain('三类');
  });

  it('rejects a password containing the username', () => {
    expect(checkPassword('Zhangwei#2026', policy, 'zhangwei')).toContain('用户名');
  });
});
