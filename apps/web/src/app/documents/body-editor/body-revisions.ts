import { DatePipe } from '@angular/common';
import { HttpClient } from '@angular/common/http';
import { Component, OnInit, computed, inject, input, output, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import type { BodyParagraph } from '@zhengwu/contracts';
import { NzButtonModule } from 'ng-zorro-antd/button';
import { NzMessageService } from 'ng-zorro-antd/message';
import { NzSelectModule } from 'ng-zorro-antd/select';
import { NzTableModule } from 'ng-zorro-antd/table';
import { NzTagModule } from 'ng-zorro-antd/tag';
import { firstValueFrom } from 'rxjs';
import { Api, ApiError, toApiError } from '../../core/api';
import { BodyEditor } from './body-editor';
import { MarkedBody, type RevisionAuthor } from './marked-body';
import {
  KIND_LABELS,
  authorColors,
  cleanParagraphs,
  describeChange,
  type RevisionChange,
  type RevisionDetail,
  type RevisionDiff,
  type RevisionList,
} from './revisions.logic';

type Mode = 'view' | 'edit' | 'compare';

/**
 * 正文 with 痕迹保留 on the document page: the latest revision with every pending change by person and time,
 * 接受/拒绝 per change for the holder who may, the structured editor for the holder of 拟稿/核稿/会签, the
 * revision history, compare any two, and .docx in and out.
 */
@Component({
  selector: 'zw-body-revisions',
  imports: [
    DatePipe,
    FormsModule,
    NzButtonModule,
    NzSelectModule,
    NzTableModule,
    NzTagModule,
    BodyEditor,
    MarkedBody,
  ],
  template: `
    @if (list(); as l) {
      <div class="toolbar">
        @if (shown(); as r) {
          <span class="current" data-testid="revision-current">
            第 {{ r.number }} 稿 · {{ r.step }} · {{ r.authorName }} ·
            {{ r.updatedAt | date: 'yyyy-MM-dd HH:mm' }}
            @if (r.kind === 'clean') {
              <nz-tag nzColor="green">清稿（已签发定稿）</nz-tag>
            } @else if (!r.isLatest) {
              <nz-tag>历史稿</nz-tag>
            }
          </span>
        }
        <span class="spacer"></span>
        @if (mode() === 'edit') {
          <input #docxFile type="file" accept=".docx" hidden (change)="importDocx($event)" />
          <button nz-button type="button" (click)="docxFile.click()">导入 .docx</button>
          <button nz-button type="button" (click)="mode.set('view')" [disabled]="busy()">
            取消
          </button>
          <button nz-button nzType="primary" type="button" (click)="save()" [nzLoading]="busy()">
            保存正文
          </button>
        } @else {
          @if (l.permissions.canSave && !l.clean) {
            <button nz-button nzType="primary" type="button" (click)="edit()">编辑正文</button>
          }
          @if (l.permissions.canDecide && pending().length > 0 && shown()?.isLatest) {
            <button nz-button type="button" (click)="decide('all', 'accept')" [disabled]="busy()">
              全部接受
            </button>
            <button nz-button type="button" (click)="decide('all', 'reject')" [disabled]="busy()">
              全部拒绝
            </button>
          }
          <button nz-button type="button" (click)="exportDocx()">导出 .docx</button>
          <button
            nz-button
            type="button"
            (click)="mode.set(mode() === 'compare' ? 'view' : 'compare')"
          >
            {{ mode() === 'compare' ? '返回' : '比较修订稿' }}
          </button>
        }
      </div>

      @switch (mode()) {
        @case ('edit') {
          <p class="hint">
            {{ l.permissions.step }}环节修改正文{{
              tracked() ? '，修改将以痕迹保留' : ''
            }}。回车分段，段首退格合并；序号自动编排，无需输入。
          </p>
          <zw-body-editor [(paragraphs)]="draft" />
        }
        @case ('compare') {
          <div class="compare">
            <nz-select [(ngModel)]="from" nzSize="small" aria-label="较早的稿">
              @for (r of l.items; track r.number) {
                <nz-option
                  [nzValue]="r.number"
                  [nzLabel]="'第 ' + r.number + ' 稿（' + r.step + ' ' + r.authorName + '）'"
                />
              }
            </nz-select>
            <span>→</span>
            <nz-select [(ngModel)]="to" nzSize="small" aria-label="较晚的稿">
              @for (r of l.items; track r.number) {
                <nz-option
                  [nzValue]="r.number"
                  [nzLabel]="'第 ' + r.number + ' 稿（' + r.step + ' ' + r.authorName + '）'"
                />
              }
            </nz-select>
            <button nz-button nzSize="small" type="button" (click)="compare()">比较</button>
          </div>
          @if (diff(); as d) {
            <p class="hint">
              第 {{ d.from.number }} 稿（{{ d.from.authorName }}）→ 第 {{ d.to.number }} 稿（{{
                d.to.authorName
              }}）：插入 {{ d.inserted }} 字，删除 {{ d.deleted }} 字
            </p>
            <zw-marked-body [paragraphs]="d.marked" [authors]="authors()" [colors]="colors()" />
          }
        }
        @default {
          @if (shown(); as r) {
            <zw-marked-body [paragraphs]="r.marked" [authors]="authors()" [colors]="colors()" />
            @if (r.changes.length > 0) {
              <h4>待处理的修订（{{ r.changes.length }} 处）</h4>
              <nz-table
                #changes
                [nzData]="r.changes"
                nzSize="small"
                [nzShowPagination]="false"
                [nzFrontPagination]="false"
                class="zw-cards"
              >
                <thead>
                  <tr>
                    <th>修改人</th>
                    <th>环节</th>
                    <th>时间</th>
                    <th>修改内容</th>
                    @if (l.permissions.canDecide && r.isLatest) {
                      <th>处理</th>
                    }
                  </tr>
                </thead>
                <tbody>
                  @for (c of changes.data; track c.id) {
                    <tr data-testid="revision-change">
                      <td class="zw-card-title">
                        <span class="person" [style.color]="colorOf(c)">{{ c.authorName }}</span>
                      </td>
                      <td data-label="环节">{{ c.step }}</td>
                      <td data-label="时间">{{ c.at | date: 'MM-dd HH:mm' }}</td>
                      <td data-label="修改内容">{{ describe(c) }}</td>
                      @if (l.permissions.canDecide && r.isLatest) {
                        <td class="actions">
                          <button
                            nz-button
                            nzSize="small"
                            type="button"
                            (click)="decide(c.id, 'accept')"
                            [disabled]="busy()"
                          >
                            接受
                          </button>
                          <button
                            nz-button
                            nzSize="small"
                            type="button"
                            (click)="decide(c.id, 'reject')"
                            [disabled]="busy()"
                          >
                            拒绝
                          </button>
                        </td>
                      }
                    </tr>
                  }
                </tbody>
              </nz-table>
            }
          }
        }
      }

      <h4>修订记录</h4>
      <nz-table
        #history
        [nzData]="l.items"
        nzSize="small"
        [nzShowPagination]="false"
        [nzFrontPagination]="false"
        class="zw-cards"
      >
        <thead>
          <tr>
            <th>稿号</th>
            <th>环节</th>
            <th>修改人</th>
            <th>时间</th>
            <th>说明</th>
            <th>待处理修订</th>
            <th></th>
          </tr>
        </thead>
        <tbody>
          @for (r of history.data; track r.number) {
            <tr [class.selected]="shown()?.number === r.number">
              <td class="zw-card-title">第 {{ r.number }} 稿</td>
              <td data-label="环节">{{ r.step }}</td>
              <td data-label="修改人">
                <span class="person" [style.color]="colors().get(r.authorId)">{{
                  r.authorName
                }}</span>
              </td>
              <td data-label="时间">{{ r.updatedAt | date: 'yyyy-MM-dd HH:mm' }}</td>
              <td data-label="说明">{{ r.note || kindLabel(r.kind) }}</td>
              <td data-label="待处理">{{ r.pendingChanges }}</td>
              <td>
                <button
                  nz-button
                  nzType="link"
                  nzSize="small"
                  type="button"
                  (click)="show(r.number)"
                >
                  查看
                </button>
              </td>
            </tr>
          }
        </tbody>
      </nz-table>
    } @else if (failed()) {
      <p>{{ failed() }}</p>
    } @else {
      <p>正在加载正文…</p>
    }
  `,
  styles: `
    .toolbar {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: 8px;
      margin-bottom: 12px;
    }
    .spacer {
      flex: 1;
    }
    .current {
      color: #555;
    }
    .hint {
      color: #666;
      font-size: 13px;
    }
    .compare {
      display: flex;
      gap: 8px;
      align-items: center;
      margin-bottom: 12px;
    }
    .compare nz-select {
      min-width: 220px;
    }
    .person {
      font-weight: 600;
    }
    .actions {
      white-space: nowrap;
    }
    .actions button + button {
      margin-left: 4px;
    }
    h4 {
      margin: 16px 0 8px;
    }
    tr.selected td {
      background: #e6f4ff;
    }
  `,
})
export class BodyRevisions implements OnInit {
  private readonly api = inject(Api);
  private readonly http = inject(HttpClient);
  private readonly message = inject(NzMessageService);
  readonly documentId = input.required<string>();
  /** Told after every save or decision, so the page can refresh what it shows of the document. */
  readonly changed = output<void>();

  protected readonly list = signal<RevisionList | null>(null);
  protected readonly shown = signal<RevisionDetail | null>(null);
  protected readonly diff = signal<RevisionDiff | null>(null);
  protected readonly failed = signal<string | null>(null);
  protected readonly busy = signal(false);
  protected readonly mode = signal<Mode>('view');
  protected draft: BodyParagraph[] = [];
  protected from = 1;
  protected to = 1;

  protected readonly colors = computed(() => authorColors(this.list()?.items ?? []));
  protected readonly authors = computed(
    () =>
      new Map<number, RevisionAuthor>(
        (this.list()?.items ?? []).map((r) => [
          r.number,
          { authorId: r.authorId, authorName: r.authorName, step: r.step, at: r.updatedAt },
        ]),
      ),
  );
  protected readonly pending = computed(() => this.shown()?.changes ?? []);
  /** Saves at 拟稿 before the draft first left it are the drafter's own; after that every change is marked. */
  protected readonly tracked = computed(() => {
    const l = this.list();
    return !!l && (l.permissions.step !== '拟稿' || l.items.some((r) => r.step !== '拟稿'));
  });

  ngOnInit(): void {
    void this.load();
  }

  async load(number?: number): Promise<void> {
    try {
      const list = await this.api.get<RevisionList>(`/documents/${this.documentId()}/revisions`);
      this.list.set(list);
      this.from = Math.max(1, list.latest - 1);
      this.to = list.latest;
      this.shown.set(
        await this.api.get<RevisionDetail>(
          `/documents/${this.documentId()}/revisions/${number ?? list.latest}`,
        ),
      );
    } catch (error) {
      this.failed.set(error instanceof ApiError ? error.message : '正文加载失败，请刷新页面');
    }
  }

  protected async show(number: number): Promise<void> {
    this.mode.set('view');
    await this.load(number);
  }

  protected async edit(): Promise<void> {
    const l = this.list();
    if (!l) return;
    const latest = await this.api.get<RevisionDetail>(
      `/documents/${this.documentId()}/revisions/${l.latest}`,
    );
    this.shown.set(latest);
    this.draft = latest.paragraphs.map((p) => ({ ...p }));
    if (this.draft.length === 0) this.draft = [{ level: 'text', text: '' }];
    this.mode.set('edit');
  }

  protected async save(): Promise<void> {
    const base = this.shown()?.number;
    const paragraphs = cleanParagraphs(this.draft);
    if (!base) return;
    if (paragraphs.length === 0) {
      this.message.warning('请填写正文');
      return;
    }
    this.busy.set(true);
    try {
      const saved = await this.api.post<{ number: number; unchanged: boolean }>(
        `/documents/${this.documentId()}/revisions`,
        {
          base,
          paragraphs,
        },
      );
      this.message.success(saved.unchanged ? '正文没有变化' : `已保存为第 ${saved.number} 稿`);
      this.mode.set('view');
      await this.load();
      this.changed.emit();
    } catch (error) {
      this.message.error(error instanceof ApiError ? error.message : '保存失败，请重试');
    } finally {
      this.busy.set(false);
    }
  }

  protected async decide(change: string, decision: 'accept' | 'reject'): Promise<void> {
    const number = this.shown()?.number;
    if (!number) return;
    this.busy.set(true);
    try {
      const done = await this.api.post<{ number: number; decided: number }>(
        `/documents/${this.documentId()}/revisions/${number}/changes/${change}/${decision}`,
      );
      this.message.success(
        `已${decision === 'accept' ? '接受' : '拒绝'} ${done.decided} 处修订（第 ${done.number} 稿）`,
      );
      await this.load();
      this.changed.emit();
    } catch (error) {
      this.message.error(error instanceof ApiError ? error.message : '处理失败，请刷新后重试');
      if (error instanceof ApiError && error.status === 409) await this.load();
    } finally {
      this.busy.set(false);
    }
  }

  protected async compare(): Promise<void> {
    try {
      this.diff.set(
        await this.api.get<RevisionDiff>(`/documents/${this.documentId()}/revisions/diff`, {
          from: this.from,
          to: this.to,
        }),
      );
    } catch (error) {
      this.message.error(error instanceof ApiError ? error.message : '比较失败，请重试');
    }
  }

  protected async importDocx(event: Event): Promise<void> {
    const inputEl = event.target as HTMLInputElement;
    const file = inputEl.files?.[0];
    inputEl.value = '';
    if (!file) return;
    try {
      const imported = await this.api.upload<{ title: string | null; paragraphs: BodyParagraph[] }>(
        `/documents/${this.documentId()}/revisions/import-docx`,
        file,
      );
      this.draft = imported.paragraphs;
      this.message.success(`已导入 ${imported.paragraphs.length} 段，请核对后保存`);
    } catch (error) {
      this.message.error(error instanceof ApiError ? error.message : '导入失败，请重试');
    }
  }

  protected async exportDocx(): Promise<void> {
    const number = this.shown()?.number ?? this.list()?.latest;
    if (!number) return;
    try {
      const response = await firstValueFrom(
        this.http.get(`/api/documents/${this.documentId()}/revisions/${number}/docx`, {
          responseType: 'blob',
          observe: 'response',
        }),
      );
      const disposition = response.headers.get('Content-Disposition') ?? '';
      const name = decodeURIComponent(
        /filename\*=UTF-8''([^;]+)/.exec(disposition)?.[1] ?? `正文（第${number}稿）.docx`,
      );
      const url = URL.createObjectURL(response.body!);
      const a = document.createElement('a');
      a.href = url;
      a.download = name;
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (error) {
      this.message.error(toApiError(error).message || '导出失败，请重试');
    }
  }

  protected describe(c: RevisionChange): string {
    return describeChange(c);
  }

  protected colorOf(c: RevisionChange): string | null {
    return c.authorId ? (this.colors().get(c.authorId) ?? null) : null;
  }

  protected kindLabel(kind: keyof typeof KIND_LABELS): string {
    return KIND_LABELS[kind];
  }
}
