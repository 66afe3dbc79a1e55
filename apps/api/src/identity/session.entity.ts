import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

@Entity('sessions')
export class SessionEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column('uuid', { name: 'user_id' })
  userId!: string;

  /** SHA-256 of the refresh token's secret part; the token itself is never stored. */
  @Column('char', { name: 'token_hash', length: 64 })
  tokenHash!: string;

  /** The hash before the last rotation: presenting it again means the token was stolen. */
  @Column('char', { name: 'previous_token_hash', length: 64, nullable: true })
  previousTokenHash!: string | null;

  @Column('timestamptz', { name: 'created_at' })
  createdAt!: Date;

  @Column('timestamptz', { name: 'last_used_at' })
  lastUsedAt!: Date;

  @Column('timestamptz', { name: 'expires_at' })
  expiresAt!: Date;

  @Column('timestamptz', { name: 'revoked_at', nullable: true })
  revokedAt!: Date | null;

  @Column('text', { name: 'user_agent', nullable: true })
  userAgent!: string | null;

  @Column('text', { nullable: true })
  ip!: string | null;

  /** The login passed a second factor (TOTP or a recovery code). */
  @Column('boolean', { name: 'second_factor', default: false })
  secondFactor!: boolean;
}
