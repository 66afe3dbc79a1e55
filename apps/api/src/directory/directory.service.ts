import { Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service';
import type { Principal } from '../identity/principal';
import { ForbiddenError, NotFoundError } from '../platform/errors';
import type { ContactDto } from './directory.dto';
import { DirectoryRepository, type DirectoryPerson, type DirectoryUnit } from './directory.repository';

/**
 * 通讯录: the units and people of the person's own organ (机关: the ministry, a province, city or county with its
 * departments), with titles, office telephones and mail — who to call about a case. People beyond the organ stay
 * reachable by name in the pickers, but their telephone and mail are not shown.
 */
@Injectable()
export class DirectoryService {
  constructor(
    private readonly repository: DirectoryRepository,
    private readonly audit: AuditService,
  ) {}

  async directory(me: Principal, query: { unitId?: string; q?: string }): Promise<{ units: DirectoryUnit[]; people: DirectoryPerson[] }> {
    const scope = await this.repository.organPathOf(me.unitPath);
    let within = scope;
    if (query.unitId) {
      const path = await this.repository.unitPath(query.unitId);
      // A unit outside the organ answers as one that does not exist.
      if (!path || !path.startsWith(scope)) throw new NotFoundError('单位');
      within = path;
    }
    const [units, people] = await Promise.all([this.repository.units(scope), this.repository.people(within, query.q?.trim() || undefined)]);
    return { units, people };
  }

  /** A person keeps their own telephone and mail (not their title: that is the organisation's). */
  async setOwnContact(me: Principal, dto: ContactDto): Promise<{ ok: true }> {
    if (dto.title !== undefined) throw new ForbiddenError('职务由系统管理员维护');
    await this.repository.setContact(me.userId, { officePhone: blankToNull(dto.officePhone), email: blankToNull(dto.email) });
    await this.audit.record({ action: 'directory.contact', objectType: 'user', objectId: me.userId, detail: { self: true } });
    return { ok: true };
  }

  /** The system administrator keeps anyone's contact details and title. */
  async setContact(userId: string, dto: ContactDto): Promise<{ ok: true }> {
    if (!(await this.repository.userUnitPath(userId))) throw new NotFoundError('人员');
    await this.repository.setContact(userId, {
      officePhone: blankToNull(dto.officePhone),
      email: blankToNull(dto.email),
      title: blankToNull(dto.title),
    });
    await this.audit.record({ action: 'directory.contact', objectType: 'user', objectId: userId, detail: { self: false } });
    return { ok: true };
  }
}

function blankToNull(value: string | undefined): string | null | undefined {
  if (value === undefined) return undefined;
  return value.trim() === '' ? null : value.trim();
}
