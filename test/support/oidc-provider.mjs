// A real OpenID provider (oidc-provider, the certified Node implementation) standing in for the
// province's 统一身份认证平台 in tests: its own process on a free port, its own signing key, clients
// and accounts from the environment, and its own login and consent pages.
//
//   OP_CLIENTS   JSON [{client_id, client_secret, redirect_uris}]
//   OP_ACCOUNTS  JSON {"<username>": "<display name>"}; every account's password is OP_PASSWORD
//   OP_PORT      port to listen on (0 or unset: a free one)
//
// Prints `oidc-provider ready <issuer>` once it serves. `POST /__test/mode {idToken}` makes the
// next ID tokens misbehave the way a broken or hostile provider's would: `expired` (exp an hour ago)
// and `audience:<client_id>` (issued to another client) come out of oidc-provider itself; `nonce` and
// `issuer` alter its token's claim and sign again with the provider's real key; `foreign-key` signs it
// with a key the provider never published (same kid); `normal` ends it.
import { Buffer } from 'node:buffer';
import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { createServer } from 'node:http';
import { URL, URLSearchParams } from 'node:url';
import Provider from 'oidc-provider';

const clients = JSON.parse(process.env.OP_CLIENTS ?? '[]');
const accounts = JSON.parse(process.env.OP_ACCOUNTS ?? '{}');
const password = process.env.OP_PASSWORD ?? 'op-password';
let idTokenMode = 'normal';

const server = createServer();
await new Promise((resolve) => server.listen(Number(process.env.OP_PORT ?? 0), '127.0.0.1', resolve));
const issuer = `http://127.0.0.1:${server.address().port}`;

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const foreignKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
const jwk = { ...privateKey.export({ format: 'jwk' }), kid: randomBytes(8).toString('hex'), alg: 'RS256', use: 'sig' };

const provider = new Provider(issuer, {
  clients: clients.map((c) => ({
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
    ...c,
  })),
  jwks: { keys: [jwk] },
  cookies: { keys: [randomBytes(32).toString('hex')] },
  claims: { openid: ['sub'], profile: ['preferred_username', 'name'] },
  features: { devInteractions: { enabled: false } },
  pkce: { required: () => true },
  interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
  async findAccount(_ctx, id) {
    if (!(id in accounts)) return undefined;
    return {
      accountId: id,
      async claims() {
        return { sub: id, preferred_username: id, name: accounts[id] };
      },
    };
  },
});
provider.on('server_error', (_ctx, error) => console.error('oidc-provider server_error', error));

// The test hook: re-issue an ID token the way a misconfigured provider would, with the provider's own key.
const originalIssue = provider.IdToken.prototype.issue;
provider.IdToken.prototype.issue = async function issue(options = {}) {
  if (options.use !== 'idtoken' || idTokenMode === 'normal') return originalIssue.call(this, options);
  if (idTokenMode === 'expired') {
    return originalIssue.call(this, { ...options, expiresAt: Math.floor(Date.now() / 1000) - 3600 });
  }
  if (['nonce', 'issuer', 'foreign-key'].includes(idTokenMode)) {
    const [header, body] = (await originalIssue.call(this, options)).split('.');
    const claims = JSON.parse(Buffer.from(body, 'base64url').toString());
    if (idTokenMode === 'nonce') claims.nonce = 'a-nonce-this-login-never-sent';
    if (idTokenMode === 'issuer') claims.iss = `${issuer}/another-realm`;
    const input = `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
    const key = idTokenMode === 'foreign-key' ? foreignKey : privateKey;
    return `${input}.${sign('sha256', Buffer.from(input), key).toString('base64url')}`;
  }
  const other = await provider.Client.find(idTokenMode.slice('audience:'.length));
  if (!other) throw new Error(`no client ${idTokenMode}`);
  const own = this.client;
  this.client = other;
  try {
    return await originalIssue.call(this, options);
  } finally {
    this.client = own;
  }
};

const escapeHtml = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(res, title, body) {
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end(`<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>${title}</title></head>
<body style="font-family: sans-serif; max-width: 420px; margin: 60px auto"><h1>统一身份认证平台</h1>${body}</body></html>`);
}

async function readForm(req) {
  let raw = '';
  for await (const chunk of req) raw += chunk;
  return new URLSearchParams(raw);
}

async function interaction(req, res, uid, action) {
  const details = await provider.interactionDetails(req, res);
  if (details.uid !== uid) throw new Error('interaction mismatch');
  const { prompt, params, session } = details;
  if (req.method === 'GET' && !action) {
    if (prompt.name === 'login') {
      return page(
        res,
        '登录',
        `<form method="post" action="/interaction/${uid}/login">
  <p>应用 ${escapeHtml(params.client_id)} 请求登录</p>
  <label>用户名 <input name="login" id="op-login" autocomplete="off"></label><br>
  <label>密码 <input name="password" id="op-password" type="password"></label><br>
  <button type="submit" id="op-submit">登录</button></form>`,
      );
    }
    return page(
      res,
      '授权',
      `<form method="post" action="/interaction/${uid}/confirm">
  <p>${escapeHtml(accounts[session.accountId] ?? session.accountId)}，应用 ${escapeHtml(params.client_id)} 请求读取您的身份信息（${escapeHtml(params.scope)}）</p>
  <button type="submit" id="op-consent">同意授权</button></form>`,
    );
  }
  if (req.method === 'POST' && action === 'login') {
    const form = await readForm(req);
    const login = form.get('login') ?? '';
    if (!(login in accounts) || form.get('password') !== password) {
      return page(res, '登录失败', `<p id="op-error">用户名或密码错误</p><a href="/interaction/${uid}">重试</a>`);
    }
    return provider.interactionFinished(req, res, { login: { accountId: login } }, { mergeWithLastSubmission: false });
  }
  if (req.method === 'POST' && action === 'confirm') {
    await readForm(req);
    const grant = details.grantId
      ? await provider.Grant.find(details.grantId)
      : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
    const missing = prompt.details;
    if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
    if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
    const grantId = await grant.save();
    return provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
  }
  res.writeHead(404).end();
}

const handle = provider.callback();
server.on('request', (req, res) => {
  const url = new URL(req.url, issuer);
  const match = /^\/interaction\/([\w-]+)(?:\/(login|confirm))?$/.exec(url.pathname);
  if (match) {
    interaction(req, res, match[1], match[2]).catch((error) => {
      res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' }).end(String(error?.message ?? error));
    });
    return;
  }
  if (url.pathname === '/__test/mode' && req.method === 'POST') {
    readForm(req).then((form) => {
      idTokenMode = form.get('idToken') ?? 'normal';
      res.writeHead(204).end();
    });
    return;
  }
  handle(req, res);
});

console.log(`oidc-provider ready ${issuer}`);
