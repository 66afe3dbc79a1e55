import { HttpStatus } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AppError } from '../platform/errors';

/** The 信息化领导小组's unit; its members (unit_members, position 组长/副组长/成员) vote on what it decides. */
export const LEADING_GROUP = 'MLR-LDXZ';

export interface GroupVoters {
  /** Every active member, the chair first. */
  voters: string[];
  chair?: string;
}

/** Who votes when a matter goes to the leading group; a group without members cannot decide anything. */
export async function leadingGroupVoters(m: EntityManager): Promise<GroupVoters> {
  const members: { user_id: string; position: string | null }[] = await m.query(
    `SELECT mb.user_id, mb.position FROM unit_members mb JOIN users u ON u.id = mb.user_id JOIN units g ON g.id = mb.unit_id
      WHERE g.code = $1 AND u.is_active ORDER BY (mb.position = '组长') DESC, (mb.position = '副组长') DESC, u.username`,
    [LEADING_GROUP],
  );
  if (members.length === 0) {
    throw new AppError(
      'GROUP_HAS_NO_MEMBERS',
      '信息化领导小组尚无成员，无法提请表决，请先维护领导小组成员',
      HttpStatus.UNPROCESSABLE_ENTITY,
    );
  }
  const chair = members.find((r) => r.position === '组长');
  return { voters: members.map((r) => r.user_id), ...(chair ? { chair: chair.user_id } : {}) };
}

/** Only the 组长 may refer a vote to 集体决定 (the task page offers it to the chair alone; this is the api's check). */
export async function requireGroupChair(m: EntityManager, userId: string): Promise<void> {
  const chair: unknown[] = await m.query(
    `SELECT 1 FROM unit_members mb JOIN units g ON g.id = mb.unit_id WHERE g.code = $1 AND mb.user_id = $2 AND mb.position = '组长'`,
    [LEADING_GROUP, userId],
  );
  if (chair.length === 0) {
    throw new AppError('REFER_NOT_ALLOWED', '只有领导小组组长可以提请以集体决定方式议定', HttpStatus.FORBIDDEN, [
      { field: 'variables.referToSecretary', message: '仅组长可用' },
    ]);
  }
}

/** A vote is the member's own and is 同意 or 不同意. */
export function checkVote(voters: unknown, userId: string, outcome: string | undefined): 'approve' | 'reject' {
  if (!Array.isArray(voters) || !voters.includes(userId)) {
    throw new AppError('VOTER_NOT_MEMBER', '只有领导小组成员本人可以表决（表决不能转办他人）', HttpStatus.FORBIDDEN);
  }
  if (outcome !== 'approve' && outcome !== 'reject') {
    throw new AppError('VOTE_INVALID', '表决须为同意或不同意', HttpStatus.BAD_REQUEST, [
      { field: 'action', message: '须为 approve 或 reject' },
    ]);
  }
  return outcome;
}

export interface VoteCount {
  approve: number;
  reject: number;
  cast: number;
  referred: boolean;
}

/**
 * The group's decision once every member has voted: a majority of all members decides; a tie, too few votes on
 * either side, or the chair's referral goes to 集体决定 (recorded by the secretary).
 */
export function voteResult(total: number, count: VoteCount): 'pending' | 'approve' | 'reject' | 'undecided' {
  if (count.cast < total) return 'pending';
  if (count.referred) return 'undecided';
  if (count.approve * 2 > total) return 'approve';
  if (count.reject * 2 > total) return 'reject';
  return 'undecided';
}
