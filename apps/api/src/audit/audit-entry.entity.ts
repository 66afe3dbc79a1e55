import { Column, Entity, PrimaryColumn } from 'typeorm';

export type AuditOutcome = 'success' | 'failure' | 'denied';

@Entity('audit_log')
export class AuditEntryEntity {
  @PrimaryColumn('bigint')
  id!: string;

  @Column('timestamptz')
  at!: Date;

  @Column('uuid', { name: 'user_id', nullable: true })
  userId!: string | null;

  @Column('text', { nullable: true })
  username!: string | null;

  @Column('uuid', { name: 'unit_id', nullable: true })
  unitId!: string | null;

  @Column('text')
  action!: string;

  @Column('text', { name: 'object_type', nullable: true })
  objectType!: string | null;

  @Column('text', { name: 'object_id', nullable: true })
  objectId!: string | null;

  @Column('text', { name: 'request_id', nullable: true })
  requestId!: string | null;

  @Column('text', { nullable: true })
  ip!: string | null;

  @Column('text')
  outcome!: AuditOutcome;

  @Column('jsonb', { nullable: true })
  detail!: Record<string, unknown> | null;

  @Column('char', { name: 'prev_hash', length: 64 })
  prevHash!: string;

  @Column('char', { length: 64 })
  hash!: string;
}
