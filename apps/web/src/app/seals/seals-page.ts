import { DatePipe } from '@angular/common';
import { HttpClient } from '@angular/common/http';
import { Component, OnDestroy, OnInit, computed, inject, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { firstValueFrom } from 'rxjs';
import { NzButtonModule } from 'ng-zorro-antd/button';
import { NzCardModule } from 'ng-zorro-antd/card';
import { NzDescriptionsModule } from 'ng-zorro-antd/descriptions';
import { NzFormModule } from 'ng-zorro-antd/form';
import { NzIconModule } from 'ng-zorro-antd/icon';
import { NzInputModule } from 'ng-zorro-antd/input';
import { NzMessageService } from 'ng-zorro-antd/message';
import { NzTableModule } from 'ng-zorro-antd/table';
import { NzTagModule } from 'ng-zorro-antd/tag';
import { Api, ApiError, toApiError } from '../core/api';

interface Seal {
  id: string;
  unitName: string;
  esId: string;
  name: string;
  label: string | null;
  imageSource: 'drawn' | 'uploaded';
  status: 'active' | 'revoked';
  validFrom: string;
  validTo: string;
  certificate: {
    subject: string;
    issuer: string;
    serialNumber: string;
    fingerprint: string;
    notAfter: string;
  };
  createdByName: string;
  createdAt: string;
  revokedAt: string | null;
  revokeReason: string | null;
}

/** 电子印章管理 for the 印章管理员: the unit's seal, making a new one (drawn or uploaded), stopping one. */
@Component({
  selector: 'zw-seals-page',
  imports: [
    DatePipe,
    FormsModule,
    NzButtonModule,
    NzCardModule,
    NzDescriptionsModule,
    NzFormModule,
    NzIconModule,
    NzInputModule,
    NzTableModule,
    NzTagModule,
  ],
  template: `
    <div class="page">
      <div class="page-header">
        <h2>电子印章管理</h2>
        <div class="toolbar">
          <button nz-button type="button" (click)="downloadCa()">
            <nz-icon nzType="download" />下载根证书（验章用）
          </button>
        </div>
      </div>

      @if (active(); as s) {
        <nz-card nzTitle="启用中的印章" nzSize="small">
          <div class="seal">
            @if (images()[s.id]; as src) {
              <img [src]="src" alt="印章图像" class="seal-image" />
            }
            <nz-descriptions nzBordered nzSize="small" [nzColumn]="1">
              <nz-descriptions-item nzTitle="印章名称"
                >{{ s.name }}{{ s.label ? '（' + s.label + '）' : '' }}</nz-descriptions-item
              >
              <nz-descriptions-item nzTitle="印章编码">{{ s.esId }}</nz-descriptions-item>
              <nz-descriptions-item nzTitle="所属单位">{{ s.unitName }}</nz-descriptions-item>
              <nz-descriptions-item nzTitle="有效期"
                >{{ s.validFrom | date: 'yyyy-MM-dd' }} 至
                {{ s.validTo | date: 'yyyy-MM-dd' }}</nz-descriptions-item
              >
              <nz-descriptions-item nzTitle="证书"
                >{{ s.certificate.subject }}（序列号
                {{ s.certificate.serialNumber }}）</nz-descriptions-item
              >
              <nz-descriptions-item nzTitle="签发机构">{{
                s.certificate.issuer
              }}</nz-descriptions-item>
              <nz-descriptions-item nzTitle="制作"
                >{{ s.createdByName }}，{{
                  s.createdAt | date: 'yyyy-MM-dd HH:mm'
                }}</nz-descriptions-item
              >
            </nz-descriptions>
          </div>
          <form nz-form nzLayout="inline" class="revoke" (ngSubmit)="revoke(s)">
            <nz-form-item>
              <nz-form-control>
                <input
                  nz-input
                  name="reason"
                  [(ngModel)]="reason"
                  placeholder="停用原因（必填）"
                  maxlength="200"
                />
              </nz-form-control>
            </nz-form-item>
            <button nz-button nzDanger type="submit" [disabled]="reason.trim().length < 2">
              停用此印章
            </button>
          </form>
        </nz-card>
      } @else {
        <nz-card nzTitle="制作印章" nzSize="small">
          <p class="muted">
            本单位尚无启用中的电子印章。印章由系统根证书签发的 SM2
            证书与印章图像组成，用于公文签发后的用印。
          </p>
          <form nz-form nzLayout="vertical" (ngSubmit)="create()">
            <nz-form-item>
              <nz-form-label>印章名称（沿圆弧排列）</nz-form-label>
              <nz-form-control
                ><input
                  nz-input
                  name="name"
                  [(ngModel)]="name"
                  placeholder="不填则用本单位的发文机关署名"
                  maxlength="30"
              /></nz-form-control>
            </nz-form-item>
            <nz-form-item>
              <nz-form-label>星下横排文字</nz-form-label>
              <nz-form-control
                ><input
                  nz-input
                  name="label"
                  [(ngModel)]="label"
                  placeholder="如：公文专用章"
                  maxlength="8"
              /></nz-form-control>
            </nz-form-item>
            <nz-form-item>
              <nz-form-label>有效年限</nz-form-label>
              <nz-form-control
                ><input nz-input type="number" name="years" [(ngModel)]="years" min="1" max="10"
              /></nz-form-control>
            </nz-form-item>
            <nz-form-item>
              <nz-form-label>或上传印章图片（透明背景 PNG）</nz-form-label>
              <nz-form-control
                ><input type="file" accept="image/png" (change)="pick($event)"
              /></nz-form-control>
            </nz-form-item>
            <div class="toolbar">
              <button
                nz-button
                type="button"
                [disabled]="!name.trim() || !!upload()"
                (click)="preview()"
              >
                预览
              </button>
              <button nz-button nzType="primary" type="submit" [nzLoading]="saving()">
                制作印章
              </button>
            </div>
          </form>
          @if (previewUrl(); as src) {
            <img [src]="src" alt="印章预览" class="seal-image" />
          }
        </nz-card>
      }

      <nz-card nzTitle="历史印章" nzSize="small">
        <nz-table
          #t
          [nzData]="revoked()"
          nzSize="small"
          [nzShowPagination]="false"
          nzNoResult="暂无停用的印章"
        >
          <thead>
            <tr>
              <th>印章名称</th>
              <th>印章编码</th>
              <th>制作</th>
              <th>停用</th>
              <th>停用原因</th>
            </tr>
          </thead>
          <tbody>
            @for (s of t.data; track s.id) {
              <tr>
                <td>{{ s.name }}</td>
                <td>{{ s.esId }}</td>
                <td>{{ s.createdByName }} {{ s.createdAt | date: 'yyyy-MM-dd' }}</td>
                <td>{{ s.revokedAt | date: 'yyyy-MM-dd HH:mm' }}</td>
                <td>{{ s.revokeReason }}</td>
              </tr>
            }
          </tbody>
        </nz-table>
      </nz-card>
    </div>
  `,
  styles: `
    nz-card {
      margin-bottom: 16px;
    }
    .seal {
      display: flex;
      gap: 24px;
      align-items: flex-start;
    }
    .seal-image {
      width: 160px;
      height: 160px;
    }
    .revoke {
      margin-top: 16px;
    }
    .toolbar {
      display: flex;
      gap: 8px;
    }
    .muted {
      color: #595959;
    }
  `,
})
export class SealsPage implements OnInit, OnDestroy {
  private readonly api = inject(Api);
  private readonly http = inject(HttpClient);
  private readonly message = inject(NzMessageService);
  protected readonly seals = signal<Seal[]>([]);
  protected readonly active = computed(() => this.seals().find((s) => s.status === 'active'));
  protected readonly revoked = computed(() => this.seals().filter((s) => s.status === 'revoked'));
  protected readonly images = signal<Record<string, string>>({});
  protected readonly previewUrl = signal<string | null>(null);
  protected readonly upload = signal<string | null>(null);
  protected readonly saving = signal(false);
  protected name = '';
  protected label = '';
  protected years = 5;
  protected reason = '';
  private readonly urls: string[] = [];

  ngOnInit(): void {
    void this.load();
  }

  ngOnDestroy(): void {
    for (const url of this.urls) URL.revokeObjectURL(url);
  }

  async load(): Promise<void> {
    try {
      const seals = await this.api.get<Seal[]>('/seals');
      this.seals.set(seals);
      const active = seals.find((s) => s.status === 'active');
      if (active && !this.images()[active.id]) {
        const blob = await firstValueFrom(
          this.http.get(`/api/seals/${active.id}/image`, { responseType: 'blob' }),
        );
        this.images.update((m) => ({ ...m, [active.id]: this.url(blob) }));
      }
    } catch (error) {
      this.message.error(error instanceof ApiError ? error.message : toApiError(error).message);
    }
  }

  async preview(): Promise<void> {
    try {
      const blob = await firstValueFrom(
        this.http.post(
          '/api/seals/preview',
          { name: this.name.trim(), label: this.label.trim() || undefined },
          { responseType: 'blob' },
        ),
      );
      this.previewUrl.set(this.url(blob));
    } catch (error) {
      this.message.error(toApiError(error).message);
    }
  }

  pick(event: Event): void {
    const file = (event.target as HTMLInputElement).files?.[0];
    if (!file) {
      this.upload.set(null);
      return;
    }
    const reader = new FileReader();
    reader.onload = () => {
      const data = String(reader.result);
      this.upload.set(data.slice(data.indexOf(',') + 1));
      this.previewUrl.set(data);
    };
    reader.readAsDataURL(file);
  }

  async create(): Promise<void> {
    this.saving.set(true);
    try {
      await this.api.post('/seals', {
        name: this.name.trim() || undefined,
        label: this.label.trim() || undefined,
        validYears: Number(this.years) || undefined,
        imagePng: this.upload() ?? undefined,
      });
      this.message.success('印章已制作');
      this.previewUrl.set(null);
      await this.load();
    } catch (error) {
      this.message.error(error instanceof ApiError ? error.message : '制作失败，请重试');
    } finally {
      this.saving.set(false);
    }
  }

  async revoke(s: Seal): Promise<void> {
    try {
      await this.api.post(`/seals/${s.id}/revoke`, { reason: this.reason.trim() });
      this.reason = '';
      this.message.success('印章已停用');
      await this.load();
    } catch (error) {
      this.message.error(error instanceof ApiError ? error.message : '停用失败，请重试');
    }
  }

  async downloadCa(): Promise<void> {
    try {
      const blob = await firstValueFrom(
        this.http.get('/api/seals/ca.crt', { responseType: 'blob' }),
      );
      const a = document.createElement('a');
      a.href = this.url(blob);
      a.download = 'zhengwu-seal-ca.crt';
      document.body.appendChild(a);
      a.click();
      a.remove();
    } catch (error) {
      this.message.error(toApiError(error).message);
    }
  }

  private url(blob: Blob): string {
    const url = URL.createObjectURL(blob);
    this.urls.push(url);
    return url;
  }
}
