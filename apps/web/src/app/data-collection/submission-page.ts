import { DatePipe } from '@angular/common';
import { Component, inject, input, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { RouterLink } from '@angular/router';
import { NzButtonModule } from 'ng-zorro-antd/button';
import { NzIconModule } from 'ng-zorro-antd/icon';
import { NzInputModule } from 'ng-zorro-antd/input';
import { NzMessageService } from 'ng-zorro-antd/message';
import { NzProgressModule } from 'ng-zorro-antd/progress';
import { NzTagModule } from 'ng-zorro-antd/tag';
import { Api, ApiError } from '../core/api';
import { Downloads } from '../core/downloads';
import { sizeText, submissionColor, type Submission } from './data-collection.model';
import { ResumableUpload } from './resumable-upload';

/** One unit's submission of one dataset: the statement, the resumable upload, 提交, the check result and 信息中心's review. */
@Component({
  selector: 'zw-submission-page',
  imports: [
    DatePipe,
    FormsModule,
    RouterLink,
    NzButtonModule,
    NzIconModule,
    NzInputModule,
    NzProgressModule,
    NzTagModule,
  ],
  template: `
    <div class="page">
      @if (s(); as s) {
        <div class="page-header">
          <h2>{{ s.itemName }}（{{ s.unitName }}）</h2>
          <nz-tag [nzColor]="color(s.status)" data-testid="submission-status">{{
            s.status
          }}</nz-tag>
        </div>
        <p>
          <a class="inline-link" [routerLink]="['/data-collection/lists', s.listId]">{{
            s.listTitle
          }}</a>
          · 格式 {{ s.format }} · 坐标系 {{ s.coordinateSystem }} · 不超过 {{ s.maxSizeMb }} MB ·
          截止
          {{ s.dueAt | date: 'yyyy-MM-dd HH:mm' }}
        </p>
        @if (s.checkReason) {
          <p [class]="s.status === '检查未通过' ? 'bad' : 'ok'" data-testid="check-reason">
            {{ s.checkReason }}
          </p>
        }
        @if (s.reviewOpinion && s.status === '已退回') {
          <p class="bad">信息中心退回：{{ s.reviewOpinion }}</p>
        }

        <form class="grid" (ngSubmit)="saveInfo()">
          <label
            >责任单位<input
              nz-input
              name="responsibleUnit"
              [(ngModel)]="info.responsibleUnit"
              [disabled]="!s.canEdit"
          /></label>
          <label
            >联系人<input
              nz-input
              name="contactName"
              [(ngModel)]="info.contactName"
              [disabled]="!s.canEdit"
          /></label>
          <label
            >联系电话<input
              nz-input
              name="contactPhone"
              [(ngModel)]="info.contactPhone"
              [disabled]="!s.canEdit"
          /></label>
          <label
            >数据版本<input
              nz-input
              name="version"
              [(ngModel)]="info.version"
              [disabled]="!s.canEdit"
          /></label>
          <label
            >覆盖范围行政区划代码
            <input
              nz-input
              name="areaCode"
              [(ngModel)]="info.areaCode"
              [disabled]="!s.canEdit"
              [placeholder]="s.divisionCode ?? ''"
            />
          </label>
          <label
            >覆盖范围名称<input
              nz-input
              name="areaName"
              [(ngModel)]="info.areaName"
              [disabled]="!s.canEdit"
          /></label>
          @if (s.canEdit) {
            <div><button nz-button type="submit" [nzLoading]="busy()">保存填报信息</button></div>
          }
        </form>

        <h3>数据文件</h3>
        @if (s.fileName) {
          <p>
            {{ s.fileName }}（{{ size(s.fileSize) }}）<br />
            <span class="digest">SHA-256：{{ s.sha256 }}</span
            ><br />
            <button nz-button nzType="link" type="button" (click)="download()">下载</button>
          </p>
        }
        @if (s.canEdit) {
          <div class="upload">
            <input
              type="file"
              (change)="pick($event)"
              aria-label="选择数据文件"
              data-testid="file-input"
            />
            <button
              nz-button
              type="button"
              (click)="upload()"
              [disabled]="!file"
              [nzLoading]="uploading()"
            >
              <nz-icon nzType="upload" />上传（可断点续传）
            </button>
          </div>
          @if (uploading() || percent() > 0) {
            <nz-progress [nzPercent]="percent()" data-testid="upload-progress" />
          }
          <button
            nz-button
            nzType="primary"
            type="button"
            (click)="submit()"
            [nzLoading]="busy()"
            data-testid="submit"
          >
            提交汇交
          </button>
        }

        @if (s.canReview) {
          <h3>信息中心审核</h3>
          <div class="actions">
            <input
              nz-input
              name="opinion"
              [(ngModel)]="opinion"
              placeholder="审核意见（退回时必填）"
              aria-label="审核意见"
              class="grow"
            />
            <button
              nz-button
              nzType="primary"
              type="button"
              (click)="review('approve')"
              [nzLoading]="busy()"
            >
              通过
            </button>
            <button nz-button type="button" (click)="review('return')" [nzLoading]="busy()">
              退回
            </button>
          </div>
        }

        @if (s.history?.length) {
          <h3>办理记录</h3>
          <ul>
            @for (h of s.history; track $index) {
              <li>
                {{ h.at | date: 'yyyy-MM-dd HH:mm' }} {{ h.userName }} {{ h.taskName }}
                {{ h.comment }}
              </li>
            }
          </ul>
        }
      }
    </div>
  `,
  styles: `
    .grid {
      display: grid;
      grid-template-columns: repeat(auto-fit, minmax(220px, 1fr));
      gap: 8px 12px;
      margin-bottom: 16px;
    }
    .grid label {
      display: flex;
      flex-direction: column;
      min-width: 0;
    }
    .upload,
    .actions {
      display: flex;
      flex-wrap: wrap;
      gap: 8px;
      align-items: center;
      margin-bottom: 8px;
    }
    .upload input[type='file'] {
      max-width: 100%;
    }
    .grow {
      flex: 1 1 220px;
      min-width: 0;
    }
    .digest {
      word-break: break-all;
      color: #595959;
    }
    .bad {
      color: #a8071a;
    }
    .ok {
      color: #237804;
    }
    .inline-link {
      text-decoration: underline;
    }
  `,
})
export class SubmissionPage {
  private readonly api = inject(Api);
  private readonly uploader = inject(ResumableUpload);
  private readonly downloads = inject(Downloads);
  private readonly message = inject(NzMessageService);
  readonly id = input.required<string>();
  protected readonly s = signal<Submission | null>(null);
  protected readonly busy = signal(false);
  protected readonly uploading = signal(false);
  protected readonly percent = signal(0);
  protected file: File | null = null;
  protected opinion = '';
  protected info = {
    responsibleUnit: '',
    contactName: '',
    contactPhone: '',
    version: '',
    areaCode: '',
    areaName: '',
  };

  ngOnInit(): void {
    void this.load();
  }

  async load(): Promise<void> {
    try {
      const s = await this.api.get<Submission>(`/data-collection/submissions/${this.id()}`);
      this.s.set(s);
      this.info = {
        responsibleUnit: s.responsibleUnit ?? '',
        contactName: s.contactName ?? '',
        contactPhone: s.contactPhone ?? '',
        version: s.version ?? '',
        areaCode: s.areaCode ?? s.divisionCode ?? '',
        areaName: s.areaName ?? '',
      };
    } catch (error) {
      this.message.error(error instanceof ApiError ? error.message : '加载失败，请刷新页面');
    }
  }

  pick(event: Event): void {
    this.file = (event.target as HTMLInputElement).files?.[0] ?? null;
    this.percent.set(0);
  }

  async saveInfo(): Promise<void> {
    await this.act(
      () => this.api.put(`/data-collection/submissions/${this.id()}`, this.info),
      '填报信息已保存',
    );
  }

  async upload(): Promise<void> {
    if (!this.file) return;
    this.uploading.set(true);
    try {
      await this.uploader.send(this.id(), this.file, (p) => this.percent.set(p));
      this.message.success('上传完成，摘要已记录');
      await this.load();
    } catch (error) {
      this.message.error(
        error instanceof ApiError ? error.message : '上传中断，请重新选择文件继续',
      );
    } finally {
      this.uploading.set(false);
    }
  }

  async submit(): Promise<void> {
    await this.act(
      () => this.api.post(`/data-collection/submissions/${this.id()}/submit`),
      '已提交，等待自动检查',
    );
  }

  async review(outcome: 'approve' | 'return'): Promise<void> {
    await this.act(
      () =>
        this.api.post(`/data-collection/submissions/${this.id()}/review`, {
          outcome,
          comment: this.opinion || undefined,
        }),
      outcome === 'approve' ? '审核通过，已入数据目录' : '已退回',
    );
  }

  async download(): Promise<void> {
    try {
      await this.downloads.fetch(
        `/api/data-collection/submissions/${this.id()}/file`,
        this.s()?.fileName ?? 'data',
      );
    } catch (error) {
      this.message.error(error instanceof ApiError ? error.message : '下载失败，请重试');
    }
  }

  protected size(bytes: number | null): string {
    return sizeText(bytes);
  }

  protected color(status: string): string {
    return submissionColor(status);
  }

  private async act(call: () => Promise<unknown>, done: string): Promise<void> {
    this.busy.set(true);
    try {
      await call();
      this.message.success(done);
      await this.load();
    } catch (error) {
      this.message.error(error instanceof ApiError ? error.message : '操作失败，请重试');
    } finally {
      this.busy.set(false);
    }
  }
}
