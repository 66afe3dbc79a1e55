import { HttpStatus, Injectable } from '@nestjs/common';
import type { Principal } from '../identity/principal';
import { AppError, ForbiddenError, NotFoundError } from '../platform/errors';
import { SupervisionService } from '../supervision/supervision.service';
import { todayCst } from '../supervision/supervision-rules';
import type { ListAnnouncementsQuery, SaveAnnouncementDto } from './announcements.dto';
import { AnnouncementsRepository, type AnnouncementView, type NewAnnouncement } from './announcements.repository';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const WHAT = '公告';

function field(name: string, message: string): AppError {
  return new AppError('VALIDATION_FAILED', message, HttpStatus.BAD_REQUEST, [{ field: name, message }]);
}

function isRealDay(day: string): boolean {
  const date = new Date(`${day}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === day;
}

/**
 * 公告: 办公厅 (the same unit that runs 督办, SupervisionService.isOffice) publishes, edits and withdraws; everyone signed
 * in reads the current ones and marks them read. Expired and withdrawn ones stay visible to 办公厅 only.
 */
@Injectable()
export class AnnouncementsService {
  constructor(
    private readonly repo: AnnouncementsRepository,
    private readonly supervision: SupervisionService,
  ) {}

  async capabilities(me: Principal): Promise<{ canPublish: boolean }> {
    return { canPublish: await this.supervision.isOffice(me) };
  }

  async list(me: Principal, query: ListAnnouncementsQuery) {
    const all = query.view === 'all';
    if (all && !(await this.supervision.isOffice(me))) throw new ForbiddenError('只有办公厅可以查看已撤回或已过期的公告');
    return this.repo.list(me.userId, all, { offset: query.offset, limit: query.limit });
  }

  async get(me: Principal, id: string): Promise<AnnouncementView> {
    if (!UUID.test(id)) throw new NotFoundError(WHAT);
    const found = await this.repo.get(me.userId, id);
    if (!found) throw new NotFoundError(WHAT);
    if ((found.withdrawnAt || found.expired) && !(await this.supervision.isOffice(me))) throw new NotFoundError(WHAT);
    return found;
  }

  async publish(me: Principal, dto: SaveAnnouncementDto): Promise<AnnouncementView> {
    await this.mustBeOffice(me);
    const id = await this.repo.insert(me.unitId, me.userId, this.checked(dto));
    return this.get(me, id);
  }

  async update(me: Principal, id: string, dto: SaveAnnouncementDto): Promise<AnnouncementView> {
    await this.mustBeOffice(me);
    const values = this.checked(dto);
    await this.get(me, id);
    if (!(await this.repo.update(id, values))) throw new AppError('ANNOUNCEMENT_WITHDRAWN', '公告已撤回，不能再修改', HttpStatus.CONFLICT);
    return this.get(me, id);
  }

  async withdraw(me: Principal, id: string): Promise<{ ok: true }> {
    await this.mustBeOffice(me);
    await this.get(me, id);
    if (!(await this.repo.withdraw(id, me.userId))) throw new AppError('ANNOUNCEMENT_WITHDRAWN', '公告已撤回', HttpStatus.CONFLICT);
    return { ok: true };
  }

  /** Only a current 公告 can be read (a withdrawn or expired one is 404 for the readers it no longer shows to). */
  async markRead(me: Principal, id: string): Promise<{ ok: true }> {
    const found = await this.get(me, id);
    if (found.withdrawnAt || found.expired) throw new NotFoundError(WHAT);
    await this.repo.markRead(id, me.userId);
    return { ok: true };
  }

  private async mustBeOffice(me: Principal): Promise<void> {
    if (!(await this.supervision.isOffice(me))) throw new ForbiddenError('只有办公厅可以发布、修改或撤回公告');
  }

  /** What the DTO cannot say alone: the date is a real one and not already past. */
  private checked(dto: SaveAnnouncementDto): NewAnnouncement {
    const expiresOn = dto.expiresOn ?? null;
    if (expiresOn !== null) {
      if (!isRealDay(expiresOn)) throw field('expiresOn', '有效期须为真实日期');
      if (expiresOn < todayCst()) throw field('expiresOn', '有效期不能早于今天');
    }
    return { title: dto.title, body: dto.body, pinned: dto.pinned ?? false, expiresOn };
  }
}
