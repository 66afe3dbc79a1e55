import { DatePipe } from '@angular/common';
import { Component, OnInit, inject, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { NzButtonModule } from 'ng-zorro-antd/button';
import { NzFormModule } from 'ng-zorro-antd/form';
import { NzInputModule } from 'ng-zorro-antd/input';
import { NzMessageService } from 'ng-zorro-antd/message';
import { NzModalModule } from 'ng-zorro-antd/modal';
import { NzSelectModule } from 'ng-zorro-antd/select';
import { NzTableModule } from 'ng-zorro-antd/table';
import { NzTagModule } from 'ng-zorro-antd/tag';
import { Api, ApiError } from '../core/api';

interface Entry {
  code: string;
  name: string;
  category: string;
  description: string;
  secrecy: string;
  formats: string[];
  updateCycle: string;
  shareLevel: string;
  ownerUnitName: string | null;
  updatedAt: string;
  canEdit: boolean;
}

const CYCLES = ['实时', '每日', '每周', '每月', '每季度', '每年', '不定期'];
const LEVELS = ['无条件共享', '有条件共享', '不予共享'];

/** 数据共享目录清单: every entry with its owner, update cycle, formats and share level; the owner unit keeps its own. */
@Component({
  selector: 'zw-catalogue-page',
  imports: [
    DatePipe,
    FormsModule,
    NzButtonModule,
    NzFormModule,
    NzInputModule,
    NzModalModule,
    NzSelectModule,
    NzTableModule,
    NzTagModule,
  ],
  template: `
    <div class="page">
      <div class="page-header">
        <h2>数据共享目录</h2>
        <div class="toolbar">
          <a nz-button href="/api/catalogue/published.json" target="_blank" rel="noopener"
            >公开目录（JSON）</a
          >
          <a nz-button href="/api/catalogue/published.csv">公开目录（CSV）</a>
        </div>
      </div>
      <p class="muted">
        公开目录不含涉密和“不予共享”的条目，供其他部门的系统按固定地址读取；数据使用申请只能选择可共享的数据。
      </p>
      <nz-table #table [nzData]="entries()" nzSize="small" [nzPageSize]="20" class="zw-cards">
        <thead>
          <tr>
            <th nzWidth="130px">编码</th>
            <th>名称</th>
            <th nzWidth="160px">主管单位</th>
            <th nzWidth="90px">更新周期</th>
            <th nzWidth="180px">提供格式</th>
            <th nzWidth="110px">共享属性</th>
            <th nzWidth="80px">密级</th>
            <th nzWidth="90px">操作</th>
          </tr>
        </thead>
        <tbody>
          @for (e of table.data; track e.code) {
            <tr data-testid="catalogue-entry">
              <td class="zw-card-title">{{ e.code }}</td>
              <td data-label="名称">{{ e.name }}</td>
              <td data-label="主管单位">{{ e.ownerUnitName || '—' }}</td>
              <td data-label="更新周期">{{ e.updateCycle }}</td>
              <td data-label="提供格式">{{ e.formats.join('、') }}</td>
              <td data-label="共享属性">
                <nz-tag
                  [nzColor]="
                    e.shareLevel === '不予共享'
                      ? 'red'
                      : e.shareLevel === '无条件共享'
                        ? 'green'
                        : 'blue'
                  "
                  >{{ e.shareLevel }}</nz-tag
                >
              </td>
              <td data-label="密级">{{ e.secrecy }}</td>
              <td data-label="操作">
                @if (e.canEdit) {
                  <button nz-button nzSize="small" type="button" (click)="edit(e)">维护</button>
                } @else {
                  —
                }
              </td>
            </tr>
          }
        </tbody>
      </nz-table>

      <nz-modal
        [nzVisible]="!!editing()"
        [nzTitle]="'维护目录条目 ' + (editing()?.code ?? '')"
        (nzOnCancel)="editing.set(null)"
        (nzOnOk)="save()"
        nzOkText="保存"
        [nzOkLoading]="saving()"
      >
        <ng-container *nzModalContent>
          <form nz-form nzLayout="vertical" (ngSubmit)="save()">
            <nz-form-item>
              <nz-form-label nzFor="entry-cycle">更新周期</nz-form-label>
              <nz-form-control
                [nzErrorTip]="errors()['updateCycle']"
                [nzValidateStatus]="errors()['updateCycle'] ? 'error' : ''"
              >
                <nz-select nzId="entry-cycle" name="updateCycle" [(ngModel)]="form.updateCycle">
                  @for (c of cycles; track c) {
                    <nz-option [nzValue]="c" [nzLabel]="c" />
                  }
                </nz-select>
              </nz-form-control>
            </nz-form-item>
            <nz-form-item>
              <nz-form-label nzFor="entry-level">共享属性</nz-form-label>
              <nz-form-control
                [nzErrorTip]="errors()['shareLevel']"
                [nzValidateStatus]="errors()['shareLevel'] ? 'error' : ''"
              >
                <nz-select nzId="entry-level" name="shareLevel" [(ngModel)]="form.shareLevel">
                  @for (l of levels; track l) {
                    <nz-option [nzValue]="l" [nzLabel]="l" />
                  }
                </nz-select>
              </nz-form-control>
            </nz-form-item>
            <nz-form-item>
              <nz-form-label nzFor="entry-formats">提供格式（用顿号或逗号分隔）</nz-form-label>
              <nz-form-control
                [nzErrorTip]="errors()['formats']"
                [nzValidateStatus]="errors()['formats'] ? 'error' : ''"
              >
                <input nz-input id="entry-formats" name="formats" [(ngModel)]="form.formats" />
              </nz-form-control>
            </nz-form-item>
            <nz-form-item>
              <nz-form-label nzFor="entry-description">说明</nz-form-label>
              <nz-form-control
                [nzErrorTip]="errors()['description']"
                [nzValidateStatus]="errors()['description'] ? 'error' : ''"
              >
                <textarea
                  nz-input
                  id="entry-description"
                  name="description"
                  rows="4"
                  [(ngModel)]="form.description"
                ></textarea>
              </nz-form-control>
            </nz-form-item>
          </form>
          <p class="muted">最近更新：{{ editing()?.updatedAt | date: 'yyyy-MM-dd HH:mm' }}</p>
        </ng-container>
      </nz-modal>
    </div>
  `,
  styles: `
    .muted {
      color: #595959;
    }
  `,
})
export class CataloguePage implements OnInit {
  private readonly api = inject(Api);
  private readonly message = inject(NzMessageService);
  protected readonly cycles = CYCLES;
  protected readonly levels = LEVELS;
  protected readonly entries = signal<Entry[]>([]);
  protected readonly editing = signal<Entry | null>(null);
  protected readonly saving = signal(false);
  protected readonly errors = signal<Record<string, string>>({});
  protected form = { updateCycle: '', shareLevel: '', formats: '', description: '' };

  ngOnInit(): void {
    void this.load();
  }

  async load(): Promise<void> {
    try {
      this.entries.set(await this.api.get<Entry[]>('/catalogue'));
    } catch (error) {
      this.message.error(error instanceof ApiError ? error.message : '目录加载失败');
    }
  }

  protected edit(e: Entry): void {
    this.form = {
      updateCycle: e.updateCycle,
      shareLevel: e.shareLevel,
      formats: e.formats.join('、'),
      description: e.description,
    };
    this.errors.set({});
    this.editing.set(e);
  }

  protected async save(): Promise<void> {
    const e = this.editing();
    if (!e) return;
    this.saving.set(true);
    try {
      await this.api.put(`/catalogue/${encodeURIComponent(e.code)}`, {
        updateCycle: this.form.updateCycle,
        shareLevel: this.form.shareLevel,
        formats: this.form.formats
          .split(/[、,，\s]+/)
          .map((f) => f.trim())
          .filter(Boolean),
        description: this.form.description.trim(),
      });
      this.editing.set(null);
      this.message.success('目录条目已更新');
      await this.load();
    } catch (error) {
      if (error instanceof ApiError) {
        this.errors.set(Object.fromEntries((error.details ?? []).map((d) => [d.field, d.message])));
        this.message.error(error.message);
      } else this.message.error('保存失败，请重试');
    } finally {
      this.saving.set(false);
    }
  }
}
