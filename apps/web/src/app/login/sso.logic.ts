import { SSO_ERROR_MESSAGES, type SecondFactorChallenge } from '@zhengwu/contracts';

/** What the single sign-on landing page was brought back with. */
export type SsoLanding =
  | { kind: 'error'; code: string; message: string }
  | { kind: 'second-factor'; challenge: SecondFactorChallenge }
  | { kind: 'session' };

/**
 * Reads `/login/sso?error=<code>` (refused), `/login/sso#secondFactor=…&challenge=…` (the account
 * needs TOTP next) or plain `/login/sso` (the refresh cookie is set: fetch the session).
 */
export function readSsoLanding(search: string, fragment: string): SsoLanding {
  const code = new URLSearchParams(search).get('error');
  if (code) {
    return {
      kind: 'error',
      code,
      message: SSO_ERROR_MESSAGES[code] ?? '统一身份认证登录失败，请重新登录',
    };
  }
  const step = new URLSearchParams(fragment.replace(/^#/, ''));
  const secondFactor = step.get('secondFactor');
  const challenge = step.get('challenge');
  if ((secondFactor === 'totp' || secondFactor === 'totp-enrol') && challenge) {
    const expiresIn = Number(step.get('expiresIn'));
    return {
      kind: 'second-factor',
      challenge: {
        secondFactor,
        challenge,
        expiresIn: Number.isFinite(expiresIn) ? expiresIn : 300,
      },
    };
  }
  return { kind: 'session' };
}
