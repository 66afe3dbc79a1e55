import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

@Entity('users')
export class UserEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column('text')
  username!: string;

  @Column('text', { name: 'display_name' })
  displayName!: string;

  @Column('uuid', { name: 'unit_id' })
  unitId!: string;

  @Column('text', { nullable: true })
  title!: string | null;

  @Column('text', { nullable: true })
  email!: string | null;

  @Column('text', { name: 'password_hash', select: false })
  passwordHash!: string;

  @Column('boolean', { name: 'must_change_password' })
  mustChangePassword!: boolean;

  @Column('timestamptz', { name: 'password_changed_at' })
  passwordChangedAt!: Date;

  @Column('int', { name: 'failed_attempts' })
  failedAttempts!: number;

  @Column('timestamptz', { name: 'locked_until', nullable: true })
  lockedUntil!: Date | null;

  @Column('boolean', { name: 'is_active' })
  isActive!: boolean;
}
