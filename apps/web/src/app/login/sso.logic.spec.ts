import { readSsoLanding } from './sso.logic';

describe('the single sign-on landing', () => {
  it('shows why a sign-on was refused, in Chinese, for a known code', () => {
    expect(readSsoLanding('?error=OIDC_USER_UNKNOWN', '')).toEqual({
      kind: 'error',
      code: 'OIDC_USER_UNKNOWN',
      message: '您的统一身份认证账户在本平台没有对应的账户，请联系安全管理员开通',
    });
  });

  it('shows a general message for a code it does not know (a link cannot make it say anything else)', () => {
    expect(readSsoLanding('?error=%3Cb%3Ehi', '')).toMatchObject({
      kind: 'error',
      message: '统一身份认证登录失败，请重新登录',
    });
  });

  it('hands a second-factor challenge on', () => {
    expect(readSsoLanding('', '#secondFactor=totp&challenge=abc.def.ghi&expiresIn=300')).toEqual({
      kind: 'second-factor',
      challenge: { secondFactor: 'totp', challenge: 'abc.def.ghi', expiresIn: 300 },
    });
  });

  it('otherwise expects the session in the refresh cookie', () => {
    expect(readSsoLanding('', '')).toEqual({ kind: 'session' });
    expect(readSsoLanding('', '#secondFactor=sms&challenge=x')).toEqual({ kind: 'session' });
  });
});
