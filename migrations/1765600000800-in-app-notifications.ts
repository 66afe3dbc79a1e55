import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * In-app notifications (the bell): one row per person and outbox notice, written by a trigger on the outbox
 * itself so every feature that queues a mail also queues the bell notice in the same transaction (both or
 * neither), without thirteen call sites to keep in step. The trigger is deferred to commit: by then a
 * transaction has written all its notices (instance.terminated defers to a feature's own result notice, as the
 * mail renderer does), and its pg_notify reaches the listening API replicas only if the transaction commits.
 * Audiences and titles mirror apps/api/src/notifications/outbox-renderer.ts (see docs/notifications.md).
 */
export class InAppNotifications1765600000800 implements MigrationInterface {
  name = 'InAppNotifications1765600000800';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE user_notifications (
        id bigserial PRIMARY KEY,
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        outbox_id bigint REFERENCES outbox(id) ON DELETE SET NULL,
        kind text NOT NULL CHECK (kind IN ('assigned','returned','urged','overdue','result','cc')),
        topic text NOT NULL,
        title text NOT NULL CHECK (length(title) BETWEEN 1 AND 500),
        link text NOT NULL CHECK (link LIKE '/%'),
        created_at timestamptz NOT NULL DEFAULT now(),
        read_at timestamptz,
        UNIQUE (outbox_id, user_id)
      )`);
    await q.query(`CREATE INDEX user_notifications_newest ON user_notifications (user_id, created_at DESC, id DESC)`);
    await q.query(`CREATE INDEX user_notifications_unread ON user_notifications (user_id, created_at DESC, id DESC) WHERE read_at IS NULL`);
    await q.query(`
      CREATE TABLE notification_preferences (
        user_id uuid PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
        mail_enabled boolean NOT NULL DEFAULT true,
        mail_off_kinds text[] NOT NULL DEFAULT '{}'
          CHECK (mail_off_kinds <@ ARRAY['assigned','returned','urged','overdue','result','cc']::text[]),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    // EventSource cannot send an Authorization header: a signed-in person trades a short-lived, one-use ticket
    // (stored hashed; any replica may receive the stream request) for the stream.
    await q.query(`
      CREATE TABLE notification_stream_tickets (
        ticket_hash text PRIMARY KEY CHECK (ticket_hash ~ '^[0-9a-f]{64}$'),
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        session_id uuid NOT NULL,
        expires_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX notification_stream_tickets_expiry ON notification_stream_tickets (expires_at)`);

    // The uuids named by a payload field (a string or a list of them); anything else is ignored, never cast.
    await q.query(`
      CREATE FUNCTION notice_uuids(v jsonb) RETURNS uuid[] LANGUAGE sql IMMUTABLE AS $$
        SELECT coalesce(array_agg(e::uuid), '{}'::uuid[]) FROM (
          SELECT x AS e FROM jsonb_array_elements_text(CASE WHEN jsonb_typeof(v) = 'array' THEN v ELSE '[]'::jsonb END) x
          UNION ALL
          SELECT v #>> '{}' WHERE jsonb_typeof(v) = 'string') s
        WHERE e ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
      $$`);
    // What kind of notice a topic is, for the bell's label and the person's mail choice (used by the mail renderer too).
    await q.query(`
      CREATE FUNCTION notice_kind(p_topic text, p_payload jsonb) RETURNS text LANGUAGE sql STABLE AS $$
        SELECT CASE
          WHEN p_topic = 'task.created' AND EXISTS (
                 SELECT 1 FROM tasks t JOIN document_receipts r ON r.instance_id = t.instance_id
                  WHERE t.id = (notice_uuids(p_payload->'taskId'))[1] AND r.kind = '抄送') THEN 'cc'
          WHEN p_topic IN ('task.urged', 'document.receipt.overdue', 'supervision.due-soon') THEN 'urged'
          WHEN p_topic IN ('task.overdue', 'approval.overdue', 'approval.warning', 'supervision.overdue') THEN 'overdue'
          WHEN p_topic LIKE 'task.%' OR p_topic IN ('substitute.appointed', 'supervision.created') THEN 'assigned'
          WHEN p_topic LIKE '%.returned' OR p_topic LIKE '%.correction-requested' OR p_topic = 'document.refused' THEN 'returned'
          ELSE 'result' END
      $$`);
    await q.query(`
      CREATE FUNCTION outbox_in_app() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        p jsonb := coalesce(NEW.payload, '{}'::jsonb);
        v_topic text := NEW.topic;
        v_title text;
        v_link text;
        v_users uuid[] := '{}';
        v_units jsonb := '[]';
        v_exclude uuid[] := '{}';
        v_to uuid[];
        v_tag text;
        v_what text;
        v_id uuid;
        v_sent int;
        v_kind text;
        t record;
      BEGIN
        v_tag := CASE v_topic
          WHEN 'task.created' THEN '待办' WHEN 'task.overdue' THEN '超期提醒' WHEN 'task.urged' THEN '催办'
          WHEN 'task.transferred' THEN '转办' WHEN 'task.assigned' THEN '指派' WHEN 'task.delegated' THEN '委派'
          WHEN 'task.resolved' THEN '委派已办理' WHEN 'task.sign-requested' THEN '加签'
          WHEN 'task.sign-returned' THEN '加签退回' WHEN 'task.sign-completed' THEN '加签完成' END;
        IF v_tag IS NOT NULL THEN
          SELECT tk.id, tk.name, tk.status, tk.assignee, tk.candidate_users, tk.candidate_groups, tk.candidate_units,
                 tk.owner_unit_id, c.variables->>'title' AS title, c.process_name
            INTO t FROM tasks tk JOIN cases c ON c.id = tk.instance_id
           WHERE tk.id = (notice_uuids(p->'taskId'))[1];
          IF NOT FOUND OR t.status <> 'open' THEN RETURN NULL; END IF;
          v_title := '【' || v_tag || '】' || coalesce(t.title, t.process_name, '待办事项') || '——' || t.name;
          v_link := '/tasks/' || t.id;
          v_to := CASE WHEN v_topic IN ('task.created', 'task.overdue') THEN '{}'::uuid[] ELSE notice_uuids(p->'to') END;
          IF cardinality(v_to) > 0 THEN
            v_users := v_to;
          ELSIF t.assignee IS NOT NULL THEN
            v_users := notice_uuids(to_jsonb(t.assignee));
          ELSE
            v_users := notice_uuids(to_jsonb(t.candidate_users));
            IF cardinality(t.candidate_groups) > 0 THEN
              SELECT coalesce(jsonb_agg(jsonb_build_object('unitId', u, 'roles', to_jsonb(t.candidate_groups))), '[]'::jsonb)
                INTO v_units
                FROM unnest(CASE WHEN cardinality(t.candidate_units) > 0 THEN t.candidate_units
                                 WHEN t.owner_unit_id IS NOT NULL THEN ARRAY[t.owner_unit_id] ELSE '{}'::uuid[] END) u;
            END IF;
          END IF;
          IF v_topic <> 'task.overdue' THEN v_exclude := notice_uuids(p->'by'); END IF;
        ELSIF v_topic = 'instance.terminated' THEN
          -- A feature's own result notice of the same transaction says it better (rows of one transaction share now()).
          IF EXISTS (SELECT 1 FROM outbox o WHERE o.created_at = NEW.created_at AND o.id <> NEW.id
                        AND o.topic NOT LIKE 'task.%' AND o.topic <> 'instance.terminated') THEN RETURN NULL; END IF;
          SELECT c.started_by, c.variables->>'title' AS title, c.process_name INTO t
            FROM cases c WHERE c.id = (notice_uuids(p->'instanceId'))[1];
          IF NOT FOUND OR t.started_by IS NULL THEN RETURN NULL; END IF;
          v_title := '【流程终止】' || coalesce(t.title, t.process_name, '流程');
          v_link := '/tasks?view=started';
          v_users := ARRAY[t.started_by];
          v_exclude := notice_uuids(p->'by');
        ELSIF v_topic = 'document.receipt.overdue' THEN
          v_id := (notice_uuids(p->'toUnit'))[1];
          IF v_id IS NULL OR coalesce(btrim(p->>'toRole'), '') = '' THEN RETURN NULL; END IF;
          v_units := jsonb_build_array(jsonb_build_object('unitId', v_id, 'roles', jsonb_build_array(p->>'toRole')));
          v_title := '【催办】' || regexp_replace(coalesce(nullif(btrim(p->>'subject'), ''), '催办：公文尚未签收'), '^催办：', '');
          v_id := NULL;
          SELECT tk.id INTO v_id FROM document_receipts r JOIN tasks tk ON tk.instance_id = r.instance_id AND tk.status = 'open'
           WHERE r.id = (notice_uuids(p->'receiptId'))[1] LIMIT 1;
          IF v_id IS NOT NULL THEN v_link := '/tasks/' || v_id;
          ELSIF (notice_uuids(p->'documentId'))[1] IS NOT NULL THEN v_link := '/documents/' || (notice_uuids(p->'documentId'))[1];
          ELSE v_link := '/tasks';
          END IF;
        ELSIF v_topic LIKE 'document.%' THEN
          v_id := (notice_uuids(p->'documentId'))[1];
          v_users := notice_uuids(p->'to');
          IF v_id IS NULL OR cardinality(v_users) = 0 THEN RETURN NULL; END IF;
          v_what := '《' || coalesce(nullif(btrim(p->>'title'), ''), '公文') || '》'
                 || coalesce('（' || nullif(btrim(p->>'docNumber'), '') || '）', '');
          v_title := CASE v_topic
            WHEN 'document.distributed' THEN '【公文分发】' || v_what || '已分发'
            WHEN 'document.refused' THEN '【退文】' || v_what || '被'
              || coalesce((SELECT name FROM units WHERE id = (notice_uuids(p->'unitId'))[1]), '收文单位') || '退回'
            WHEN 'document.result' THEN '【公文办理结果】' || v_what || '：' || coalesce(nullif(btrim(p->>'result'), ''), '已办结')
            ELSE '【公文】' || v_what END;
          v_link := '/documents/' || v_id;
        ELSIF v_topic LIKE 'supervision.%' THEN
          -- 督办 (supervision_items comes with a later migration; the function reads it only for these topics).
          v_id := (notice_uuids(p->'itemId'))[1];
          IF v_id IS NULL THEN RETURN NULL; END IF;
          SELECT s.title, s.stage INTO t FROM supervision_items s WHERE s.id = v_id;
          IF NOT FOUND THEN RETURN NULL; END IF;
          -- As the mail renderer: a reminder that finds the item already reported is not given.
          IF v_topic IN ('supervision.due-soon', 'supervision.overdue') AND t.stage <> 'open' THEN RETURN NULL; END IF;
          v_title := '【' || CASE v_topic
              WHEN 'supervision.created' THEN '督办' WHEN 'supervision.due-soon' THEN '督办临期'
              WHEN 'supervision.overdue' THEN '督办逾期' WHEN 'supervision.reported' THEN '督办报结'
              WHEN 'supervision.closed' THEN '督办办结' WHEN 'supervision.returned' THEN '督办退回' ELSE '督办' END
            || '】' || t.title;
          v_link := '/supervision/' || v_id;
          v_users := notice_uuids(p->'to');
          IF (notice_uuids(p->'unitId'))[1] IS NOT NULL AND jsonb_typeof(p->'roles') = 'array' AND jsonb_array_length(p->'roles') > 0 THEN
            v_units := jsonb_build_array(jsonb_build_object('unitId', (notice_uuids(p->'unitId'))[1], 'roles', p->'roles'));
          END IF;
          v_exclude := notice_uuids(p->'by');
        ELSIF v_topic LIKE 'approval.%' THEN
          v_id := (notice_uuids(p->'approvalId'))[1];
          IF v_id IS NULL OR coalesce(btrim(p->>'subject'), '') = '' THEN RETURN NULL; END IF;
          v_title := p->>'subject';
          v_link := '/approvals/' || v_id;
          v_users := notice_uuids(p->'to');
          IF cardinality(v_users) = 0 AND (notice_uuids(p->'unitId'))[1] IS NOT NULL THEN
            -- Who acts on a unit's 审批 when a notice names only the unit (as the mail renderer's APPROVAL_ROLES).
            v_units := jsonb_build_array(jsonb_build_object('unitId', (notice_uuids(p->'unitId'))[1],
                                                            'roles', jsonb_build_array('reviewer', 'dept-approver', 'signer')));
          END IF;
        ELSE
          v_users := notice_uuids(p->'to') || notice_uuids(p->'recipients');
          IF cardinality(v_users) = 0 OR coalesce(btrim(p->>'subject'), '') = '' THEN RETURN NULL; END IF;
          v_title := p->>'subject';
          v_link := CASE
            WHEN (notice_uuids(p->'filingId'))[1] IS NOT NULL THEN '/filings/' || (notice_uuids(p->'filingId'))[1]
            WHEN (notice_uuids(p->'requestId'))[1] IS NOT NULL THEN '/data-requests/' || (notice_uuids(p->'requestId'))[1]
            WHEN (notice_uuids(p->'projectId'))[1] IS NOT NULL THEN '/projects/' || (notice_uuids(p->'projectId'))[1]
            WHEN (notice_uuids(p->'approvalId'))[1] IS NOT NULL THEN '/approvals/' || (notice_uuids(p->'approvalId'))[1]
            WHEN (notice_uuids(p->'documentId'))[1] IS NOT NULL THEN '/documents/' || (notice_uuids(p->'documentId'))[1]
            ELSE '/tasks' END;
          v_exclude := notice_uuids(p->'by');
        END IF;

        v_kind := notice_kind(v_topic, p);
        -- One pass per way of being named, each through its index (an OR over both would read every user).
        WITH audience AS (
          SELECT u.id FROM users u WHERE u.id = ANY(v_users) AND u.is_active
          UNION
          SELECT u.id FROM jsonb_to_recordset(v_units) AS a("unitId" uuid, roles text[])
            JOIN users u ON u.unit_id = a."unitId" AND u.is_active
            JOIN user_roles r ON r.user_id = u.id AND r.role = ANY(a.roles)),
        ins AS (
          INSERT INTO user_notifications (user_id, outbox_id, kind, topic, title, link)
          SELECT a.id, NEW.id, v_kind, v_topic, left(v_title, 500), v_link FROM audience a
           WHERE NOT (a.id = ANY(v_exclude))
          ON CONFLICT (outbox_id, user_id) DO NOTHING
          RETURNING id, user_id)
        SELECT count(pg_notify('zw_user_notifications', json_build_object('id', id::text, 'userId', user_id)::text))
          INTO v_sent FROM ins;
        RETURN NULL;
      END
      $$`);
    // instance.terminated looks for its transaction's other notices by created_at (here and in the mail renderer).
    await q.query(`CREATE INDEX outbox_created ON outbox (created_at)`);
    await q.query(`
      CREATE CONSTRAINT TRIGGER outbox_in_app AFTER INSERT ON outbox
        DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION outbox_in_app()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER outbox_in_app ON outbox`);
    await q.query(`DROP INDEX outbox_created`);
    await q.query(`DROP FUNCTION outbox_in_app()`);
    await q.query(`DROP FUNCTION notice_kind(text, jsonb)`);
    await q.query(`DROP FUNCTION notice_uuids(jsonb)`);
    await q.query(`DROP TABLE notification_stream_tickets`);
    await q.query(`DROP TABLE notification_preferences`);
    await q.query(`DROP TABLE user_notifications`);
  }
}
