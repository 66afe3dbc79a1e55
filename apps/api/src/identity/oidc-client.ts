/** The `openid-client` module's own type (it is an ES module; this file compiles to CommonJS). */
export type OpenIdClient = typeof import('openid-client', { with: { 'resolution-mode': 'import' } });
export type OidcConfiguration = InstanceType<OpenIdClient['Configuration']>;

let loaded: { lib: OpenIdClient; URL: typeof URL } | undefined;

/**
 * openid-client v6 is ESM only. Node ≥ 20.19 loads ES modules with require(), so the CommonJS
 * build can use it synchronously; the require comes from the `module` builtin itself so that jest's
 * CommonJS registry (which cannot evaluate ESM) is bypassed when the api runs inside a test. `URL`
 * comes from the same realm as the library, whose `instanceof URL` checks must see its own class.
 */
export function openIdClient(): { lib: OpenIdClient; URL: typeof URL } {
  if (!loaded) {
    const { createRequire } = process.getBuiltinModule('node:module');
    const lib = createRequire(__filename)('openid-client') as OpenIdClient;
    loaded = { lib, URL: process.getBuiltinModule('node:url').URL };
  }
  return loaded;
}
