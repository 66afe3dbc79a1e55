import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Role } from '@zhengwu/contracts';
import { DataSource } from 'typeorm';
import { ENGINE_PORT, type EnginePort } from '../engine/engine.port';
import type { Principal } from '../identity/principal';

/** What a feature's demo seeder gets: the database, the engine port and the demo people to act as. */
export interface DemoContext {
  dataSource: DataSource;
  engine: EnginePort;
  /** The demo person as the guards would establish them, to call the feature's services with. */
  as(username: string): Promise<Principal>;
}

interface Seeder {
  name: string;
  seed(ctx: DemoContext): Promise<void>;
}

/**
 * Demo cases of every process for `npm start`, so a new user meets a living system. Features
 * register a seeder in onModuleInit; each runs once per database (marked in demo_seeds), through
 * the same services the API uses.
 */
@Injectable()
export class DemoCases {
  private readonly logger = new Logger(DemoCases.name);
  private readonly seeders: Seeder[] = [];

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(ENGINE_PORT) private readonly engine: EnginePort,
  ) {}

  register(name: string, seed: (ctx: DemoContext) => Promise<void>): void {
    this.seeders.push({ name, seed });
  }

  /** Runs every seeder not yet run on this database, or only those named (a feature's own test). */
  async run(only?: string[]): Promise<string[]> {
    const ran: string[] = [];
    const ctx: DemoContext = {
      dataSource: this.dataSource,
      engine: this.engine,
      as: (username) => principalOf(this.dataSource, username),
    };
    for (const seeder of this.seeders) {
      if (only && !only.includes(seeder.name)) continue;
      // Two replicas starting together must not both seed: the marker row is claimed first.
      const claimed: unknown[] = await this.dataSource.query(
        `INSERT INTO demo_seeds (name) VALUES ($1) ON CONFLICT (name) DO NOTHING RETURNING name`,
        [seeder.name],
      );
      if (claimed.length === 0) continue;
      try {
        await seeder.seed(ctx);
        ran.push(seeder.name);
      } catch (error) {
        await this.dataSource.query(`DELETE FROM demo_seeds WHERE name = $1`, [seeder.name]);
        this.logger.error({ seeder: seeder.name, err: error }, 'demo cases could not be seeded');
      }
    }
    return ran;
  }
}

export async function principalOf(dataSource: DataSource, username: string): Promise<Principal> {
  const rows: { id: string; username: string; display_name: string; unit_id: string; path: string; roles: Role[] | null }[] =
    await dataSource.query(
      `SELECT u.id, u.username, u.display_name, u.unit_id, un.path,
              (SELECT array_agg(r.role ORDER BY r.role) FROM user_roles r WHERE r.user_id = u.id) AS roles
         FROM users u JOIN units un ON un.id = u.unit_id WHERE u.username = $1`,
      [username],
    );
  const user = rows[0];
  if (!user) throw new Error(`demo person ${username} does not exist`);
  return {
    userId: user.id,
    username: user.username,
    displayName: user.display_name,
    unitId: user.unit_id,
    unitPath: user.path,
    roles: user.roles ?? [],
    sessionId: 'demo-seed',
  };
}
