import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * 信息化项目立项 (seed clause 九) and the ledgers of clause 十: projects with their lifecycle history,
 * opinions and votes of the case, a gap-free number counter per year, and deployed systems.
 * Duplicate detection uses a character-bigram Jaccard in TypeScript: pg_trgm ignores CJK characters
 * under the C locale of the embedded PostgreSQL, so it would find nothing there.
 */
export class Projects1764288300000 implements MigrationInterface {
  name = 'Projects1764288300000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE projects (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        project_no text UNIQUE,
        name text NOT NULL CHECK (char_length(name) BETWEEN 2 AND 100),
        category text NOT NULL CHECK (category IN ('数据采集及建库','系统开发和运行维护','数据共享服务','网络建设')),
        budget numeric(12,2) NOT NULL CHECK (budget > 0 AND budget <= 100000),
        start_year int NOT NULL CHECK (start_year BETWEEN 2000 AND 2100),
        end_year int NOT NULL CHECK (end_year BETWEEN 2000 AND 2100),
        content text NOT NULL,
        is_government_affairs boolean NOT NULL,
        unit_id uuid NOT NULL REFERENCES units(id),
        implementing_unit_id uuid REFERENCES units(id),
        submitted_by uuid NOT NULL REFERENCES users(id),
        instance_id uuid REFERENCES process_instances(id),
        status text NOT NULL DEFAULT '申报中' CHECK (status IN ('申报中','已立项','不予立项','已撤回','在建','已建成')),
        stage text,
        decision text,
        decided_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CHECK (end_year >= start_year),
        -- Nothing is 在建 or 已建成 without having been 立项 (it carries a number only then).
        CHECK (status NOT IN ('已立项','在建','已建成') OR (project_no IS NOT NULL AND implementing_unit_id IS NOT NULL))
      )`);
    await q.query(`CREATE INDEX projects_unit ON projects (unit_id, created_at DESC)`);
    await q.query(`CREATE INDEX projects_implementing_unit ON projects (implementing_unit_id)`);
    await q.query(`CREATE INDEX projects_status_category ON projects (status, category, created_at DESC)`);
    await q.query(`CREATE INDEX projects_years ON projects (start_year, end_year)`);
    await q.query(`CREATE INDEX projects_instance ON projects (instance_id)`);
    // The lifecycle, enforced below the service too: 申报中 → 已立项/不予立项/已撤回, 已立项 → 在建 → 已建成.
    await q.query(`
      CREATE FUNCTION projects_status_guard() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.status IS DISTINCT FROM OLD.status AND NOT (
             (OLD.status = '申报中' AND NEW.status IN ('已立项','不予立项','已撤回'))
          OR (OLD.status = '已立项' AND NEW.status = '在建')
          OR (OLD.status = '在建' AND NEW.status = '已建成')) THEN
          RAISE EXCEPTION 'project status % cannot change to %', OLD.status, NEW.status USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
      END $$`);
    await q.query(
      `CREATE TRIGGER projects_status_guard BEFORE UPDATE OF status ON projects FOR EACH ROW EXECUTE FUNCTION projects_status_guard()`,
    );
    await q.query(`
      CREATE TABLE project_history (
        id bigserial PRIMARY KEY,
        project_id uuid NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        action text NOT NULL CHECK (action IN ('submit','correct','decide','status')),
        from_status text,
        to_status text,
        changes jsonb,
        reason text,
        user_id uuid REFERENCES users(id),
        unit_id uuid REFERENCES units(id),
        at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX project_history_project ON project_history (project_id, id)`);
    await q.query(`
      CREATE TABLE project_opinions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        project_id uuid NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        instance_id uuid NOT NULL REFERENCES process_instances(id),
        task_id uuid NOT NULL UNIQUE REFERENCES tasks(id),
        step text NOT NULL CHECK (step IN ('leader','revise','office','secretary')),
        outcome text NOT NULL,
        opinion text,
        duplicates jsonb,
        user_id uuid NOT NULL REFERENCES users(id),
        unit_id uuid REFERENCES units(id),
        at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX project_opinions_project ON project_opinions (project_id, at)`);
    await q.query(`
      CREATE TABLE project_votes (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        project_id uuid NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        instance_id uuid NOT NULL REFERENCES process_instances(id),
        task_id uuid NOT NULL UNIQUE REFERENCES tasks(id),
        voter_id uuid NOT NULL REFERENCES users(id),
        vote text NOT NULL CHECK (vote IN ('approve','reject')),
        opinion text,
        refer_to_secretary boolean NOT NULL DEFAULT false,
        voted_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (instance_id, voter_id)
      )`);
    await q.query(`CREATE TABLE project_counters (year int PRIMARY KEY, value int NOT NULL)`);
    await q.query(`
      CREATE TABLE deployed_systems (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL CHECK (char_length(name) BETWEEN 2 AND 100),
        project_id uuid REFERENCES projects(id),
        unit_id uuid NOT NULL REFERENCES units(id),
        level text NOT NULL CHECK (level IN ('部级','省级','市级','县级')),
        version text NOT NULL,
        go_live_date date NOT NULL,
        status text NOT NULL DEFAULT '运行' CHECK (status IN ('运行','停用')),
        description text,
        created_by uuid NOT NULL REFERENCES users(id),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (unit_id, name)
      )`);
    await q.query(`CREATE INDEX deployed_systems_unit ON deployed_systems (unit_id)`);
    await q.query(`CREATE INDEX deployed_systems_level_status ON deployed_systems (level, status)`);
    await q.query(`CREATE INDEX deployed_systems_project ON deployed_systems (project_id)`);
    await q.query(`
      CREATE TABLE deployed_system_history (
        id bigserial PRIMARY KEY,
        system_id uuid NOT NULL REFERENCES deployed_systems(id) ON DELETE CASCADE,
        action text NOT NULL CHECK (action IN ('create','update')),
        changes jsonb NOT NULL,
        reason text,
        user_id uuid NOT NULL REFERENCES users(id),
        unit_id uuid REFERENCES units(id),
        at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX deployed_system_history_system ON deployed_system_history (system_id, id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of [
      'deployed_system_history',
      'deployed_systems',
      'project_counters',
      'project_votes',
      'project_opinions',
      'project_history',
      'projects',
    ]) {
      await q.query(`DROP TABLE ${table}`);
    }
    await q.query(`DROP FUNCTION projects_status_guard()`);
  }
}
