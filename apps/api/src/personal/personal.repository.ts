import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { DraftForm } from './personal.dto';

/** The SQL of the personal feature: one person's 常用语 and 暂存. */
@Injectable()
export class PersonalRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async phrases(userId: string): Promise<string[] | null> {
    const rows: { phrases: string[] }[] = await this.dataSource.query(`SELECT phrases FROM user_phrases WHERE user_id = $1`, [userId]);
    return rows[0]?.phrases ?? null;
  }

  async savePhrases(userId: string, phrases: string[]): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO user_phrases (user_id, phrases) VALUES ($1, $2)
       ON CONFLICT (user_id) DO UPDATE SET phrases = EXCLUDED.phrases, updated_at = now()`,
      [userId, phrases],
    );
  }

  async resetPhrases(userId: string): Promise<void> {
    await this.dataSource.query(`DELETE FROM user_phrases WHERE user_id = $1`, [userId]);
  }

  async draft(userId: string, form: DraftForm): Promise<{ payload: Record<string, unknown>; updatedAt: Date } | null> {
    const rows: { payload: Record<string, unknown>; updated_at: Date }[] = await this.dataSource.query(
      `SELECT payload, updated_at FROM form_drafts WHERE user_id = $1 AND form_key = $2`,
      [userId, form],
    );
    return rows[0] ? { payload: rows[0].payload, updatedAt: rows[0].updated_at } : null;
  }

  async saveDraft(userId: string, form: DraftForm, payload: string): Promise<Date> {
    const rows: { updated_at: Date }[] = await this.dataSource.query(
      `INSERT INTO form_drafts (user_id, form_key, payload) VALUES ($1, $2, $3::jsonb)
       ON CONFLICT (user_id, form_key) DO UPDATE SET payload = EXCLUDED.payload, updated_at = now() RETURNING updated_at`,
      [userId, form, payload],
    );
    return rows[0].updated_at;
  }

  async deleteDraft(userId: string, form: DraftForm): Promise<void> {
    await this.dataSource.query(`DELETE FROM form_drafts WHERE user_id = $1 AND form_key = $2`, [userId, form]);
  }
}
