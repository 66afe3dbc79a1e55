import { Component, OnInit, computed, inject, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { NzButtonModule } from 'ng-zorro-antd/button';
import { NzCardModule } from 'ng-zorro-antd/card';
import { NzFormModule } from 'ng-zorro-antd/form';
import { NzInputModule } from 'ng-zorro-antd/input';
import { NzMessageService } from 'ng-zorro-antd/message';
import { NzModalModule } from 'ng-zorro-antd/modal';
import { NzTableModule } from 'ng-zorro-antd/table';
import { type NzFormatEmitEvent, NzTreeModule } from 'ng-zorro-antd/tree';
import { Api, ApiError } from '../core/api';
import { Auth } from '../core/auth';
import { contactErrors, unitTree, type DirectoryUnit } from './directory.logic';

interface Person {
  id: string;
  displayName: string;
  title: string | null;
  unitId: string;
  unitName: string;
  officePhone: string | null;
  email: string | null;
}

/** 通讯录: the units of the person's organ as a tree, and its people with title, office telephone and mail. */
@Component({
  selector: 'zw-directory-page',
  imports: [
    FormsModule,
    NzButtonModule,
    NzCardModule,
    NzFormModule,
    NzInputModule,
    NzModalModule,
    NzTableModule,
    NzTreeModule,
  ],
  template: `
    <div class="page">
      <div class="page-header">
        <h2>通讯录</h2>
        <div class="toolbar">
          <button nz-button type="button" (click)="editOwn()">修改我的联系方式</button>
        </div>
      </div>
      <div class="layout">
        <nz-card nzSize="small" nzTitle="单位" class="units">
          <nz-tree
            [nzData]="tree()"
            nzBlockNode
            (nzClick)="pick($event)"
            [nzSelectedKeys]="unitId() ? [unitId()!] : []"
          />
        </nz-card>
        <nz-card nzSize="small" [nzTitle]="heading()" class="people">
          <form class="search" (ngSubmit)="load()">
            <label for="directory-q" class="visually-hidden">搜索姓名、职务、电话或单位</label>
            <input
              nz-input
              id="directory-q"
              name="q"
              [(ngModel)]="q"
              placeholder="搜索姓名、职务、电话或单位"
            />
            <button nz-button nzType="primary" type="submit">查询</button>
            @if (unitId()) {
              <button nz-button type="button" (click)="pickAll()">全部单位</button>
            }
          </form>
          <nz-table
            #table
            [nzData]="people()"
            nzSize="small"
            [nzPageSize]="20"
            class="zw-cards"
            [nzLoading]="loading()"
          >
            <thead>
              <tr>
                <th>姓名</th>
                <th>职务</th>
                <th>单位</th>
                <th>办公电话</th>
                <th>电子邮箱</th>
              </tr>
            </thead>
            <tbody>
              @for (p of table.data; track p.id) {
                <tr data-testid="directory-person">
                  <td class="zw-card-title">{{ p.displayName }}</td>
                  <td data-label="职务">{{ p.title || '—' }}</td>
                  <td data-label="单位">{{ p.unitName }}</td>
                  <td data-label="办公电话">
                    @if (p.officePhone) {
                      <a [href]="'tel:' + p.officePhone">{{ p.officePhone }}</a>
                    } @else {
                      —
                    }
                  </td>
                  <td data-label="电子邮箱" class="wrap">
                    @if (p.email) {
                      <a [href]="'mailto:' + p.email">{{ p.email }}</a>
                    } @else {
                      —
                    }
                  </td>
                </tr>
              }
            </tbody>
          </nz-table>
        </nz-card>
      </div>

      <nz-modal
        [nzVisible]="editing()"
        nzTitle="我的联系方式"
        (nzOnCancel)="editing.set(false)"
        (nzOnOk)="saveOwn()"
        nzOkText="保存"
        [nzOkLoading]="saving()"
      >
        <ng-container *nzModalContent>
          <form nz-form nzLayout="vertical" (ngSubmit)="saveOwn()">
            <nz-form-item>
              <nz-form-label nzFor="own-phone">办公电话</nz-form-label>
              <nz-form-control
                [nzErrorTip]="errors().officePhone ?? ''"
                [nzValidateStatus]="errors().officePhone ? 'error' : ''"
              >
                <input
                  nz-input
                  id="own-phone"
                  name="officePhone"
                  [(ngModel)]="own.officePhone"
                  placeholder="如 010-66551234"
                />
              </nz-form-control>
            </nz-form-item>
            <nz-form-item>
              <nz-form-label nzFor="own-email">电子邮箱</nz-form-label>
              <nz-form-control
                [nzErrorTip]="errors().email ?? ''"
                [nzValidateStatus]="errors().email ? 'error' : ''"
              >
                <input nz-input id="own-email" name="email" [(ngModel)]="own.email" />
              </nz-form-control>
            </nz-form-item>
          </form>
        </ng-container>
      </nz-modal>
    </div>
  `,
  styles: `
    .layout {
      display: grid;
      grid-template-columns: minmax(200px, 280px) minmax(0, 1fr);
      gap: 16px;
      align-items: start;
    }
    @media (max-width: 767px) {
      .layout {
        grid-template-columns: minmax(0, 1fr);
      }
    }
    .search {
      display: flex;
      flex-wrap: wrap;
      gap: 8px;
      margin-bottom: 12px;
    }
    .search input {
      flex: 1 1 200px;
    }
    .wrap {
      word-break: break-all;
    }
    .visually-hidden {
      position: absolute;
      width: 1px;
      height: 1px;
      overflow: hidden;
      clip: rect(0 0 0 0);
    }
  `,
})
export class DirectoryPage implements OnInit {
  private readonly api = inject(Api);
  private readonly auth = inject(Auth);
  private readonly message = inject(NzMessageService);
  protected readonly units = signal<DirectoryUnit[]>([]);
  protected readonly tree = computed(() => unitTree(this.units()));
  protected readonly people = signal<Person[]>([]);
  protected readonly unitId = signal<string | null>(null);
  protected readonly loading = signal(false);
  protected readonly editing = signal(false);
  protected readonly saving = signal(false);
  protected readonly errors = signal<{ officePhone?: string; email?: string }>({});
  protected readonly heading = computed(() => {
    const id = this.unitId();
    return id ? (this.units().find((u) => u.id === id)?.name ?? '人员') : '全部人员';
  });
  protected q = '';
  protected own = { officePhone: '', email: '' };

  ngOnInit(): void {
    void this.load();
  }

  async load(): Promise<void> {
    this.loading.set(true);
    try {
      const res = await this.api.get<{ units: DirectoryUnit[]; people: Person[] }>('/directory', {
        unitId: this.unitId() ?? undefined,
        q: this.q.trim() || undefined,
      });
      this.units.set(res.units);
      this.people.set(res.people);
    } catch (error) {
      this.message.error(error instanceof ApiError ? error.message : '通讯录加载失败');
    } finally {
      this.loading.set(false);
    }
  }

  protected pick(event: NzFormatEmitEvent): void {
    this.unitId.set(event.node?.key ?? null);
    void this.load();
  }

  protected pickAll(): void {
    this.unitId.set(null);
    void this.load();
  }

  protected editOwn(): void {
    const me = this.people().find((p) => p.id === this.auth.user()?.id);
    this.own = { officePhone: me?.officePhone ?? '', email: me?.email ?? '' };
    this.errors.set({});
    this.editing.set(true);
  }

  protected async saveOwn(): Promise<void> {
    const errors = contactErrors(this.own);
    this.errors.set(errors);
    if (Object.keys(errors).length) return;
    this.saving.set(true);
    try {
      await this.api.put('/directory/me', {
        officePhone: this.own.officePhone.trim(),
        email: this.own.email.trim(),
      });
      this.editing.set(false);
      this.message.success('联系方式已更新');
      await this.load();
    } catch (error) {
      this.message.error(error instanceof ApiError ? error.message : '保存失败，请重试');
    } finally {
      this.saving.set(false);
    }
  }
}
