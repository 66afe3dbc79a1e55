import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../platform/config';
import { NotifiedCache } from '../platform/notified-cache';
import { PgListener } from '../platform/pg-listener';

/** The channel the triggers of migration 1765600002400 notify when a session, person, role or unit changes. */
export const PRINCIPALS_CHANGED_CHANNEL = 'zw_principals_changed';

/**
 * The sessions this api process checked in the last few seconds (SESSION_CACHE_SECONDS, 5 by default), so a person's
 * requests in a burst cost one session check instead of one each. Kept only while this process listens for
 * PRINCIPALS_CHANGED_CHANNEL: any committed change to sessions, users, user_roles or units (a logout, a password
 * change, a disabled account, a role taken away, a second factor reset, on any api process or by hand in psql)
 * takes the sessions it concerns (a session, a person's, or all for a unit) out of every listening process as soon
 * as PostgreSQL delivers the notification, and this process's own identity writes take them out before they answer.
 * Without the listener (not yet connected, connection lost) nothing is kept: every request reads its session. Expiry
 * (the session's and the access token's) is checked on every request.
 */
@Injectable()
export class SessionCache<Row extends object = object> extends NotifiedCache<Row> implements OnModuleDestroy {
  constructor(listener: PgListener, @Inject(APP_CONFIG) config: AppConfig) {
    super(listener, {
      channel: PRINCIPALS_CHANGED_CHANNEL,
      ttlMs: config.sessionCacheSeconds * 1000,
      maxEntries: 10_000,
      lostMessage: 'session cache listener lost; sessions are read on every request until it is back',
      // Keys are `<session id>:<user id>`; the triggers of 1765600002600 name a session or a person, '' is everything.
      affected: (payload) => {
        const id = payload.slice(2);
        if (payload.startsWith('s:') && id) return (key) => key.startsWith(`${id}:`);
        if (payload.startsWith('u:') && id) return (key) => key.endsWith(`:${id}`);
        return undefined;
      },
    });
  }

  /** Forgets one session (this process's own write to it has committed). */
  forgetSession(sessionId: string): void {
    this.forget((key) => key.startsWith(`${sessionId}:`));
  }

  /** Forgets every session of one person (their account, roles or sessions changed here). */
  forgetUser(userId: string): void {
    this.forget((key) => key.endsWith(`:${userId}`));
  }

  async onModuleDestroy(): Promise<void> {
    await this.close();
  }
}
