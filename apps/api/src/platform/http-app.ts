import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import cookieParser from 'cookie-parser';
import { existsSync } from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';
import type { NextFunction, Request, Response } from 'express';
import helmet from 'helmet';
import { Logger } from 'nestjs-pino';
import { AppModule, requestIdOf } from '../app.module';
import { AuthService } from '../identity/auth.service';
import type { AppConfig } from './config';
import { requestContext } from './request-context';
import { answerClientErrors, limitBodyDepth } from './request-limits';
import { createValidationPipe } from './validation';
import { NoBodyInterceptor } from './no-body.interceptor';

/** Builds the HTTP application (used by `npm start` and by the integration tests alike). */
export async function createHttpApp(config: AppConfig, databaseUrl: string): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config, databaseUrl), {
    bufferLogs: true,
    bodyParser: false,
  });
  app.useLogger(app.get(Logger));
  app.enableShutdownHooks();
  // X-Forwarded-For is believed only from the proxies named in TRUSTED_PROXIES: anyone else could forge it
  // and escape the per-address login limit.
  app.set('trust proxy', config.trustedProxies.length > 0 ? config.trustedProxies : false);
  // upgrade-insecure-requests would turn every asset of a plain-http intranet address into a failing https fetch.
  const https = config.publicUrl.startsWith('https:');
  // Once the server stops listening (a stop has begun), every answer closes its connection. server.close() ends only
  // the connections idle at that moment; a client asking again over a kept-alive one (the workers of another process,
  // whose fetch answers at once during a stop) would keep it busy and the stop would wait for ever.
  const server = app.getHttpServer() as Server;
  app.use((_req: Request, res: Response, next: NextFunction) => {
    if (!server.listening) res.setHeader('Connection', 'close');
    next();
  });
  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: {
          'script-src': ["'self'"],
          // helmet's defaults also allow any https: host for styles and fonts; the web app ships its own.
          'style-src': ["'self'", "'unsafe-inline'"],
          'font-src': ["'self'", 'data:'],
          'img-src': ["'self'", 'data:', 'blob:'],
          // PDF previews are object URLs of files the page itself fetched (documents/pdf-preview.ts) shown in an
          // <iframe>; without blob: here frames fall back to default-src 'self' and Chromium shows "This content is
          // blocked". Only frames get blob: — scripts, objects (object-src 'none') and connections stay as strict.
          'frame-src': ["'self'", 'blob:'],
          'upgrade-insecure-requests': https ? [] : null,
        },
      },
      strictTransportSecurity: https,
    }),
  );
  app.use(cookieParser());
  app.use((req: Request & { id?: string }, res: Response, next: NextFunction) => {
    req.id = requestIdOf(req, res);
    requestContext.run({ requestId: req.id, ip: req.ip }, next);
  });
  app.useBodyParser('json', { limit: '2mb' });
  // XML stays bytes: a diagram declares its own encoding (ISO-8859-1, GBK…), which only the deploy route can read.
  app.useBodyParser('raw', { type: ['application/xml', 'text/xml'], limit: '5mb' });
  // Workers hand back generated files (the official PDF) as raw bytes.
  app.useBodyParser('raw', { type: ['application/pdf', 'application/ofd'], limit: '50mb' });
  // 公文交换 packages stay bytes: the receiver keeps exactly what was signed (PDF and OFD inside, base64).
  app.useBodyParser('raw', { type: ['application/vnd.zhengwu.exchange+json'], limit: '120mb' });
  app.use(limitBodyDepth);
  answerClientErrors(app.getHttpServer());
  app.setGlobalPrefix('api', { exclude: ['engine-rest/{*path}'] });
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalInterceptors(new NoBodyInterceptor());
  // Without the demo the API's map is for signed-in people only (a Bearer token, as for the API itself).
  if (!config.seedDemo) app.use(requireSignedIn(app, /^\/api\/docs(?:$|[/-])/));
  const openapi = new DocumentBuilder().setTitle('Zhengwu 政务办公平台 API').setVersion('0.1.0').addBearerAuth().build();
  SwaggerModule.setup('api/docs', app, () => SwaggerModule.createDocument(app, openapi));
  serveWeb(app, config.webDir);
  return app;
}

function requireSignedIn(app: INestApplication, paths: RegExp) {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (!paths.test(req.path)) return next();
    const match = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
    const refuse = (): void => {
      res.status(401).json({ code: 'UNAUTHENTICATED', message: '请先登录后再查看接口文档' });
    };
    if (!match) return refuse();
    app
      .get(AuthService)
      .authenticate(match[1])
      .then((principal) => (principal.mustChangePassword ? refuse() : next()))
      .catch(refuse);
  };
}

/**
 * The web application on the same port: its files, and index.html for every other page address so
 * the browser's router can take over (a reload on /inbox/… works). Absent until `npm run build`.
 */
function serveWeb(app: NestExpressApplication, dir: string): void {
  const index = join(dir, 'index.html');
  if (!existsSync(index)) return;
  // Hashed bundles never change; index.html must always be fresh to pick up a new build.
  app.useStaticAssets(dir, { index: false, maxAge: '365d', immutable: true });
  app.use((req: Request, res: Response, next: NextFunction) => {
    if (req.method !== 'GET' || req.path.startsWith('/api') || req.path.startsWith('/engine-rest') || !req.accepts('html')) return next();
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(index);
  });
}
