/** `GET /api/auth/providers`: how people may sign in, for the login page. */
export interface AuthProviders {
  /** Password login at `POST /api/auth/login` (off when LOCAL_LOGIN=false). */
  localLogin: boolean;
  /** Single sign-on through the OpenID provider, when configured: the button's label and where it goes. */
  sso: { name: string; loginUrl: string } | null;
}

/** Codes a refused single sign-on brings back to the login page (`/login/sso?error=<code>`). */
export const SSO_ERROR_MESSAGES: Record<string, string> = {
  OIDC_STATE_INVALID: '单点登录请求无效或已使用，请重新登录',
  OIDC_STATE_EXPIRED: '单点登录请求已过期，请重新登录',
  OIDC_PROVIDER_REFUSED: '统一身份认证平台未完成登录（已取消或被拒绝）',
  OIDC_TOKEN_INVALID: '统一身份认证平台返回的身份凭据未通过校验，请重新登录',
  OIDC_CLAIM_MISSING: '统一身份认证平台未提供用于匹配账户的信息，请联系管理员',
  OIDC_USER_UNKNOWN: '您的统一身份认证账户在本平台没有对应的账户，请联系安全管理员开通',
  OIDC_USER_INACTIVE: '本平台的对应账户已停用，请联系安全管理员',
  ACCOUNT_LOCKED: '账户已锁定，请稍后再试或联系安全管理员解锁',
  OIDC_UNAVAILABLE: '统一身份认证平台暂时无法访问，请稍后重试',
  OIDC_NOT_CONFIGURED: '本平台未启用统一身份认证登录',
  OIDC_FAILED: '统一身份认证登录失败，请稍后重试',
};
