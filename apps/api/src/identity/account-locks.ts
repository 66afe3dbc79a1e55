import { HttpStatus, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { AppError } from '../platform/errors';
import { OneAtATime } from '../platform/one-at-a-time';

/** Namespace of these locks among the platform's advisory locks (7242001 migrations, 7242003 demo seed). */
const LOGIN_LOCKS = 7242010;
const RETRY_MS = 20;
/** An attempt is an argon2 check and a few statements; waiting longer than this means something is stuck. */
const MAX_WAIT_MS = 15_000;

/**
 * One login attempt per account at a time across every api process (API_PROCESSES, replicas): a
 * session-level advisory lock in PostgreSQL keyed by the account. AuthService queues the attempts
 * within its process; this makes the processes take turns, so guesses spread over several of them
 * still meet the failure count one at a time and no more than LOGIN_MAX_FAILURES are checked.
 *
 * The locks are held on one connection of this process's own, apart from the pool: an attempt uses
 * pool connections while it holds its lock, and waiting attempts must not occupy the pool. They are
 * tried, never waited on in SQL, so that one connection serves every account. When the connection
 * is lost PostgreSQL releases its locks, and the next attempt opens another.
 */
@Injectable()
export class AccountLocks implements OnApplicationShutdown {
  private connection?: Promise<Client>;
  private current?: Client;
  /** Statements on the lock connection, one at a time: attempts for different accounts run at once. */
  private readonly statements = new OneAtATime();

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async run<T>(key: string, attempt: () => Promise<T>): Promise<T> {
    const client = await this.client();
    for (const deadline = Date.now() + MAX_WAIT_MS; !(await this.query<boolean>(client, 'pg_try_advisory_lock', key));) {
      if (Date.now() > deadline) {
        throw new AppError('LOGIN_BUSY', '该账户的登录请求过多，请稍后再试', HttpStatus.SERVICE_UNAVAILABLE);
      }
      await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
    }
    try {
      return await attempt();
    } finally {
      // A lock that could not be released would shut the account out of the other processes:
      // dropping the connection releases it.
      await this.query(client, 'pg_advisory_unlock', key).catch(() => this.drop(client));
    }
  }

  async onApplicationShutdown(): Promise<void> {
    const connection = this.connection;
    this.connection = undefined;
    this.current = undefined;
    if (connection) await connection.then((c) => c.end()).catch(() => undefined);
  }

  private query<T>(client: Client, fn: 'pg_try_advisory_lock' | 'pg_advisory_unlock', key: string): Promise<T> {
    return this.statements.run(async () => {
      try {
        const result = await client.query<{ ok: T }>(`SELECT ${fn}($1, hashtext($2)) AS ok`, [LOGIN_LOCKS, key]);
        return result.rows[0].ok;
      } catch (error) {
        this.drop(client);
        throw error;
      }
    });
  }

  private client(): Promise<Client> {
    this.connection ??= (async () => {
      const url = (this.dataSource.options as { url?: string }).url;
      const client = new Client({ connectionString: url, application_name: 'zhengwu-login-locks', connectionTimeoutMillis: 5000 });
      client.on('error', () => this.drop(client));
      await client.connect();
      this.current = client;
      return client;
    })().catch((error: unknown) => {
      this.connection = undefined;
      throw error;
    });
    return this.connection;
  }

  private drop(client: Client): void {
    if (this.current === client) {
      this.current = undefined;
      this.connection = undefined;
    }
    client.end().catch(() => undefined);
  }
}
