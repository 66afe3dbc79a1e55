import { createSecretKey } from 'node:crypto';
import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { APP_CONFIG, type AppConfig } from '../platform/config';
import { AccountLocks } from './account-locks';
import { AuthController } from './auth.controller';
import { AuthGuard } from './auth.guard';
import { AuthService } from './auth.service';
import { LoginRateLimiter } from './login-rate-limit';
import { OidcController } from './oidc.controller';
import { OidcService } from './oidc.service';
import { SessionCache } from './session-cache';
import { TotpService } from './totp.service';

@Global()
@Module({
  imports: [
    JwtModule.registerAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({
        // A KeyObject made once: given a string, jsonwebtoken first tries (and fails) to read it as a public key, then
        // makes a secret key of it, on every token (the cast: @nestjs/jwt types the secret as string | Buffer, and
        // passes it through to jsonwebtoken, which takes a KeyObject).
        secret: createSecretKey(Buffer.from(config.jwtSecret)) as unknown as Buffer,
        signOptions: { algorithm: 'HS256', issuer: 'zhengwu' },
        verifyOptions: { issuer: 'zhengwu' },
      }),
    }),
  ],
  controllers: [AuthController, OidcController],
  providers: [
    AccountLocks,
    AuthService,
    SessionCache,
    OidcService,
    TotpService,
    { provide: APP_GUARD, useClass: AuthGuard },
    {
      // An address may fail four accounts' worth of logins within the lock period (20 in 15 minutes by default).
      provide: LoginRateLimiter,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => new LoginRateLimiter(config.maxLoginFailures * 4, config.lockMinutes * 60_000),
    },
  ],
  exports: [AuthService, SessionCache, TotpService],
})
export class IdentityModule {}
