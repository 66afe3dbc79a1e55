import {
  ChangeDetectionStrategy,
  Component,
  OnInit,
  computed,
  inject,
  signal,
} from '@angular/core';
import { FormsModule } from '@angular/forms';
import { ROLES, ROLE_LABELS, type Role, type UserDto } from '@zhengwu/contracts';
import { NzButtonModule } from 'ng-zorro-antd/button';
import { NzCheckboxModule } from 'ng-zorro-antd/checkbox';
import { NzFormModule } from 'ng-zorro-antd/form';
import { NzInputModule } from 'ng-zorro-antd/input';
import { NzMessageService } from 'ng-zorro-antd/message';
import { NzModalModule } from 'ng-zorro-antd/modal';
import { NzPopconfirmModule } from 'ng-zorro-antd/popconfirm';
import { NzSelectModule } from 'ng-zorro-antd/select';
import { NzTableModule } from 'ng-zorro-antd/table';
import { NzTagModule } from 'ng-zorro-antd/tag';
import { Api, ApiError } from '../core/api';
import { Auth } from '../core/auth';
import {
  hasErrors,
  unitOptions,
  validateNewUser,
  type NewUserErrors,
  type NewUserForm,
  type UnitNode,
} from './admin.logic';
import { errorText } from './error-message';

const EMPTY_USER: NewUserForm = {
  username: '',
  displayName: '',
  unitId: '',
  title: '',
  password: '',
};

/** 人员与角色: the security administrator grants roles and unlocks; the system administrator adds people. */
@Component({
  selector: 'zw-users-tab',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [
    FormsModule,
    NzTableModule,
    NzTagModule,
    NzButtonModule,
    NzInputModule,
    NzSelectModule,
    NzFormModule,
    NzModalModule,
    NzCheckboxModule,
    NzPopconfirmModule,
  ],
  template: `
    <form class="toolbar" (ngSubmit)="search()">
      <label for="user-q" class="sr-label">搜索人员</label>
      <input
        nz-input
        id="user-q"
        name="q"
        [(ngModel)]="q"
        placeholder="用户名或姓名"
        style="width: 200px"
      />
      <nz-select
        name="role"
        [(ngModel)]="role"
        nzAllowClear
        nzPlaceHolder="全部角色"
        style="width: 180px"
        aria-label="按角色筛选"
      >
        @for (r of roles; track r) {
          <nz-option [nzValue]="r" [nzLabel]="roleLabels[r]" />
        }
      </nz-select>
      <button nz-button type="submit">查询</button>
      @if (isSysadmin()) {
        <button nz-button nzType="primary" type="button" (click)="openCreate()">新建人员</button>
      }
    </form>
    <nz-table
      #t
      [nzData]="users()"
      [nzLoading]="loading()"
      [nzFrontPagination]="false"
      [nzTotal]="total()"
      [nzPageIndex]="page()"
      [nzPageSize]="pageSize"
      (nzPageIndexChange)="goTo($event)"
      [nzScroll]="{ x: '1000px' }"
      nzSize="small"
    >
      <thead>
        <tr>
          <th nzWidth="130px">用户名</th>
          <th nzWidth="100px">姓名</th>
          <th nzWidth="180px">单位</th>
          <th>角色</th>
          <th nzWidth="110px">状态</th>
          @if (isSecadmin()) {
            <th nzWidth="170px">操作</th>
          }
        </tr>
      </thead>
      <tbody>
        @for (u of t.data; track u.id) {
          <tr>
            <td>{{ u.username }}</td>
            <td>{{ u.displayName }}</td>
            <td>{{ u.unitName }}</td>
            <td>
              @for (r of u.roles; track r) {
                <nz-tag>{{ label(r) }}</nz-tag>
              }
            </td>
            <td>
              @if (!u.isActive) {
                <nz-tag>停用</nz-tag>
              } @else if (isLocked(u)) {
                <nz-tag nzColor="red">已锁定</nz-tag>
              } @else {
                <nz-tag nzColor="green">正常</nz-tag>
              }
            </td>
            @if (isSecadmin()) {
              <td>
                <button nz-button nzType="link" type="button" (click)="openRoles(u)">
                  分配角色
                </button>
                @if (isLocked(u)) {
                  <button
                    nz-button
                    nzType="link"
                    type="button"
                    nz-popconfirm
                    nzPopconfirmTitle="确定解锁该账户？"
                    (nzOnConfirm)="unlock(u)"
                  >
                    解锁
                  </button>
                }
                @if (u.totpEnrolled) {
                  <button
                    nz-button
                    nzType="link"
                    nzDanger
                    type="button"
                    nz-popconfirm
                    nzPopconfirmTitle="重置后该人员须重新绑定验证器，其登录会话将全部结束。确定重置？"
                    (nzOnConfirm)="resetTotp(u)"
                    [attr.data-reset-totp]="u.username"
                  >
                    重置双因素
                  </button>
                }
              </td>
            }
          </tr>
        }
      </tbody>
    </nz-table>

    <nz-modal
      [nzVisible]="!!editing()"
      nzTitle="分配角色"
      (nzOnCancel)="editing.set(null)"
      (nzOnOk)="saveRoles()"
      [nzOkLoading]="saving()"
      nzOkText="保存"
    >
      <ng-container *nzModalContent>
        <p>{{ editing()?.displayName }}（{{ editing()?.username }}）</p>
        <div class="roles" role="group" aria-label="角色">
          @for (c of roleChoices; track c.value) {
            <label nz-checkbox [(ngModel)]="c.checked" [ngModelOptions]="{ standalone: true }">{{
              c.label
            }}</label>
          }
        </div>
        <p class="hint">系统管理员、安全管理员、审计员三者不能由同一人兼任。</p>
      </ng-container>
    </nz-modal>

    <nz-modal
      [nzVisible]="creating()"
      nzTitle="新建人员"
      (nzOnCancel)="creating.set(false)"
      (nzOnOk)="create()"
      [nzOkLoading]="saving()"
      nzOkText="创建"
    >
      <ng-container *nzModalContent>
        <form nz-form nzLayout="vertical" (ngSubmit)="create()">
          <nz-form-item>
            <nz-form-label nzFor="new-username" nzRequired>用户名</nz-form-label>
            <nz-form-control
              [nzErrorTip]="errors().username"
              [nzValidateStatus]="errors().username ? 'error' : ''"
            >
              <input
                nz-input
                id="new-username"
                name="username"
                [(ngModel)]="form.username"
                autocomplete="off"
              />
            </nz-form-control>
          </nz-form-item>
          <nz-form-item>
            <nz-form-label nzFor="new-displayName" nzRequired>姓名</nz-form-label>
            <nz-form-control
              [nzErrorTip]="errors().displayName"
              [nzValidateStatus]="errors().displayName ? 'error' : ''"
            >
              <input
                nz-input
                id="new-displayName"
                name="displayName"
                [(ngModel)]="form.displayName"
              />
            </nz-form-control>
          </nz-form-item>
          <nz-form-item>
            <nz-form-label nzFor="new-unitId" nzRequired>单位</nz-form-label>
            <nz-form-control
              [nzErrorTip]="errors().unitId"
              [nzValidateStatus]="errors().unitId ? 'error' : ''"
            >
              <nz-select
                nzId="new-unitId"
                name="unitId"
                [(ngModel)]="form.unitId"
                nzShowSearch
                nzPlaceHolder="请选择单位"
              >
                @for (o of units(); track o.value) {
                  <nz-option [nzValue]="o.value" [nzLabel]="o.label" />
                }
              </nz-select>
            </nz-form-control>
          </nz-form-item>
          <nz-form-item>
            <nz-form-label nzFor="new-title">职务</nz-form-label>
            <nz-form-control
              [nzErrorTip]="errors().title"
              [nzValidateStatus]="errors().title ? 'error' : ''"
            >
              <input nz-input id="new-title" name="title" [(ngModel)]="form.title" />
            </nz-form-control>
          </nz-form-item>
          <nz-form-item>
            <nz-form-label nzFor="new-password" nzRequired>初始密码</nz-form-label>
            <nz-form-control
              [nzErrorTip]="errors().password"
              [nzValidateStatus]="errors().password ? 'error' : ''"
            >
              <input
                nz-input
                id="new-password"
                name="password"
                type="password"
                [(ngModel)]="form.password"
                autocomplete="new-password"
              />
            </nz-form-control>
          </nz-form-item>
          <p class="hint">至少 10 位，包含三类字符；首次登录须修改。角色由安全管理员分配。</p>
        </form>
      </ng-container>
    </nz-modal>
  `,
  styles: `
    .sr-label {
      position: absolute;
      width: 1px;
      height: 1px;
      overflow: hidden;
      clip: rect(0 0 0 0);
    }
    .hint {
      color: #595959;
    }
    .roles {
      display: grid;
      grid-template-columns: repeat(3, 1fr);
      gap: 8px;
    }
  `,
})
export class UsersTab implements OnInit {
  private readonly api = inject(Api);
  private readonly message = inject(NzMessageService);
  private readonly auth = inject(Auth);
  protected readonly roles = ROLES;
  protected readonly roleLabels = ROLE_LABELS;
  protected readonly isSysadmin = computed(() => this.auth.hasRole('sysadmin'));
  protected readonly isSecadmin = computed(() => this.auth.hasRole('secadmin'));
  protected q = '';
  protected role: Role | null = null;
  protected readonly users = signal<UserDto[]>([]);
  protected readonly total = signal(0);
  protected readonly page = signal(1);
  protected readonly pageSize = 20;
  protected readonly loading = signal(false);
  protected readonly saving = signal(false);
  protected readonly editing = signal<UserDto | null>(null);
  protected roleChoices: { label: string; value: string; checked: boolean }[] = [];
  protected readonly creating = signal(false);
  protected form: NewUserForm = { ...EMPTY_USER };
  protected readonly errors = signal<NewUserErrors>({});
  protected readonly units = signal<{ value: string; label: string }[]>([]);

  ngOnInit(): void {
    void this.load();
  }

  label(role: string): string {
    return ROLE_LABELS[role as Role] ?? role;
  }

  isLocked(u: UserDto): boolean {
    return !!u.lockedUntil && new Date(u.lockedUntil).getTime() > Date.now();
  }

  search(): void {
    this.page.set(1);
    void this.load();
  }

  goTo(page: number): void {
    this.page.set(page);
    void this.load();
  }

  openRoles(u: UserDto): void {
    this.roleChoices = ROLES.map((r) => ({
      label: ROLE_LABELS[r],
      value: r,
      checked: u.roles.includes(r),
    }));
    this.editing.set(u);
  }

  async saveRoles(): Promise<void> {
    const u = this.editing();
    if (!u) return;
    this.saving.set(true);
    try {
      await this.api.put(`/org/users/${u.id}/roles`, {
        roles: this.roleChoices.filter((c) => c.checked).map((c) => c.value),
      });
      this.message.success(`已更新 ${u.displayName} 的角色`);
      this.editing.set(null);
      await this.load();
    } catch (error) {
      this.message.error(errorText(error, '角色保存失败，请稍后重试'));
    } finally {
      this.saving.set(false);
    }
  }

  async unlock(u: UserDto): Promise<void> {
    try {
      await this.api.post(`/org/users/${u.id}/unlock`);
      this.message.success(`已解锁 ${u.displayName}`);
      await this.load();
    } catch (error) {
      this.message.error(errorText(error, '解锁失败，请稍后重试'));
    }
  }

  /** 重置双因素: the person lost the authenticator (audited by the api). */
  async resetTotp(u: UserDto): Promise<void> {
    try {
      await this.api.post(`/org/users/${u.id}/reset-totp`);
      this.message.success(`已重置 ${u.displayName} 的双因素认证`);
      await this.load();
    } catch (error) {
      this.message.error(errorText(error, '重置失败，请稍后重试'));
    }
  }

  async openCreate(): Promise<void> {
    this.form = { ...EMPTY_USER };
    this.errors.set({});
    this.creating.set(true);
    if (this.units().length) return;
    try {
      this.units.set(unitOptions(await this.api.get<UnitNode[]>('/org/units')));
    } catch (error) {
      this.message.error(errorText(error, '单位列表加载失败，请关闭后重试'));
    }
  }

  async create(): Promise<void> {
    const errors = validateNewUser(this.form);
    this.errors.set(errors);
    if (hasErrors(errors)) return;
    this.saving.set(true);
    try {
      const body = {
        username: this.form.username.trim(),
        displayName: this.form.displayName.trim(),
        unitId: this.form.unitId,
        title: this.form.title.trim() || undefined,
        password: this.form.password,
      };
      await this.api.post('/org/users', body);
      this.message.success(`已创建 ${body.displayName}，请安全管理员为其分配角色`);
      this.creating.set(false);
      await this.load();
    } catch (error) {
      if (error instanceof ApiError) {
        const fields: (keyof NewUserForm)[] = [
          'username',
          'displayName',
          'unitId',
          'title',
          'password',
        ];
        this.errors.set(Object.fromEntries(fields.map((f) => [f, error.fieldMessage(f)])));
      }
      this.message.error(errorText(error, '创建失败，请稍后重试'));
    } finally {
      this.saving.set(false);
    }
  }

  private async load(): Promise<void> {
    this.loading.set(true);
    try {
      const res = await this.api.get<{ items: UserDto[]; total: number }>('/org/users', {
        q: this.q.trim(),
        role: this.role,
        limit: this.pageSize,
        offset: (this.page() - 1) * this.pageSize,
      });
      this.users.set(res.items);
      this.total.set(res.total);
    } catch (error) {
      this.message.error(errorText(error, '人员列表加载失败，请刷新页面重试'));
    } finally {
      this.loading.set(false);
    }
  }
}
