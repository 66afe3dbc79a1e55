import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../platform/config';
import { openIdClient } from './oidc-client';

describe('single sign-on settings', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'zw-oidc-config-'));
  const base = { DATA_DIR: dataDir, PUBLIC_URL: 'https://oa.example.gov.cn/' };
  const sso = {
    ...base,
    OIDC_ISSUER: 'https://idp.example.gov.cn/realms/js',
    OIDC_CLIENT_ID: 'zhengwu',
    OIDC_CLIENT_SECRET: 's3cret-s3cret',
  };
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  function refusal(env: Record<string, string>): ConfigError {
    try {
      loadConfig(env);
    } catch (error) {
      if (error instanceof ConfigError) return error;
      throw error;
    }
    throw new Error('the configuration was accepted');
  }

  it('is off without OIDC_ISSUER, and password login is on', () => {
    const config = loadConfig(base);
    expect(config.oidc).toBeUndefined();
    expect(config.localLogin).toBe(true);
  });

  it('derives the redirect from PUBLIC_URL and defaults the claim and the button label', () => {
    expect(loadConfig(sso).oidc).toEqual({
      issuer: 'https://idp.example.gov.cn/realms/js',
      clientId: 'zhengwu',
      clientSecret: 's3cret-s3cret',
      userClaim: 'preferred_username',
      scope: 'openid profile',
      name: '统一身份认证',
      redirectUri: 'https://oa.example.gov.cn/api/auth/oidc/callback',
    });
  });

  it('takes the claim, scope and label from the environment', () => {
    const oidc = loadConfig({
      ...sso,
      OIDC_USER_CLAIM: 'employee_no',
      OIDC_SCOPE: 'openid profile employee',
      OIDC_NAME: '江苏政务服务网',
    }).oidc;
    expect(oidc).toMatchObject({ userClaim: 'employee_no', scope: 'openid profile employee', name: '江苏政务服务网' });
  });

  it('lets password login be switched off only when single sign-on is configured', () => {
    expect(loadConfig({ ...sso, LOCAL_LOGIN: 'false' }).localLogin).toBe(false);
    const error = refusal({ ...base, LOCAL_LOGIN: 'false' });
    expect(error.variable).toBe('LOCAL_LOGIN');
    expect(error.message).toMatch(/OIDC_ISSUER/);
  });

  it.each([
    [{ OIDC_CLIENT_ID: '' }, 'OIDC_CLIENT_ID'],
    [{ OIDC_CLIENT_SECRET: '' }, 'OIDC_CLIENT_SECRET'],
    [{ OIDC_ISSUER: 'ftp://idp.example' }, 'OIDC_ISSUER'],
    [{ OIDC_ISSUER: 'not a url' }, 'OIDC_ISSUER'],
    [{ OIDC_USER_CLAIM: 'a b' }, 'OIDC_USER_CLAIM'],
    [{ OIDC_SCOPE: 'profile' }, 'OIDC_SCOPE'],
    [{ LOCAL_LOGIN: 'perhaps' }, 'LOCAL_LOGIN'],
  ])('refuses %j naming %s', (change, variable) => {
    expect(refusal({ ...sso, ...change }).variable).toBe(variable);
  });

  it('refuses a client id without an issuer rather than silently ignoring it', () => {
    expect(refusal({ ...base, OIDC_CLIENT_ID: 'zhengwu' }).variable).toBe('OIDC_CLIENT_ID');
  });
});

describe('the OpenID client library', () => {
  it('loads (openid-client is ESM only) inside jest as in the built api', () => {
    const { lib, URL } = openIdClient();
    expect(typeof lib.authorizationCodeGrant).toBe('function');
    expect(new URL('https://idp.example/')).toBeInstanceOf(URL);
  });
});
