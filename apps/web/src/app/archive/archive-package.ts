import { DatePipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, OnInit, inject, input, signal } from '@angular/core';
import { RouterLink } from '@angular/router';
import { NzButtonModule } from 'ng-zorro-antd/button';
import { NzCardModule } from 'ng-zorro-antd/card';
import { NzDescriptionsModule } from 'ng-zorro-antd/descriptions';
import { NzIconModule } from 'ng-zorro-antd/icon';
import { NzMessageService } from 'ng-zorro-antd/message';
import { NzSpinModule } from 'ng-zorro-antd/spin';
import { NzTableModule } from 'ng-zorro-antd/table';
import { Api, ApiError } from '../core/api';
import { downloadName, formatSize } from './archive.logic';
import type { ArchivePackageDetail, CheckReport } from './archive.types';
import { ArchiveFiles } from './archive-files';
import { CheckReportView } from './check-report';

/** One archival package: metadata, business events, files with digests, and 四性检测 on demand. */
@Component({
  selector: 'zw-archive-package',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [
    DatePipe,
    RouterLink,
    NzCardModule,
    NzDescriptionsModule,
    NzTableModule,
    NzButtonModule,
    NzIconModule,
    NzSpinModule,
    CheckReportView,
  ],
  template: `
    <div class="page">
      <div class="page-header">
        <h2>档案详情</h2>
        <div class="actions">
          <a nz-button routerLink="/archive">返回列表</a>
          <button
            nz-button
            nzType="primary"
            type="button"
            [nzLoading]="checking()"
            [disabled]="!pkg()"
            (click)="check()"
          >
            <nz-icon nzType="safety-certificate" />四性检测
          </button>
        </div>
      </div>
      <nz-spin [nzSpinning]="loading()">
        @if (pkg(); as p) {
          <nz-card nzTitle="著录信息" nzSize="small">
            <nz-descriptions
              nzBordered
              nzSize="small"
              [nzColumn]="{ xxl: 3, xl: 3, lg: 2, md: 2, sm: 1, xs: 1 }"
            >
              <nz-descriptions-item nzTitle="档号">{{ p.archiveNumber }}</nz-descriptions-item>
              <nz-descriptions-item nzTitle="题名" [nzSpan]="2">{{ p.title }}</nz-descriptions-item>
              <nz-descriptions-item nzTitle="文件编号">{{
                p.docNumber ?? '—'
              }}</nz-descriptions-item>
              <nz-descriptions-item nzTitle="责任者">{{ p.responsible }}</nz-descriptions-item>
              <nz-descriptions-item nzTitle="日期">{{ p.date }}</nz-descriptions-item>
              <nz-descriptions-item nzTitle="文种">{{ p.docType }}</nz-descriptions-item>
              <nz-descriptions-item nzTitle="密级"
                >{{ p.secrecy
                }}{{ p.secrecyTerm ? '（' + p.secrecyTerm + '）' : '' }}</nz-descriptions-item
              >
              <nz-descriptions-item nzTitle="紧急程度">{{ p.urgency }}</nz-descriptions-item>
              <nz-descriptions-item nzTitle="保管期限">{{ p.retentionLabel }}</nz-descriptions-item>
              <nz-descriptions-item nzTitle="机构"
                >{{ p.unitName }}（{{ p.unitCode }}）</nz-descriptions-item
              >
              <nz-descriptions-item nzTitle="归档时间">{{
                p.archivedAt | date: 'yyyy-MM-dd HH:mm'
              }}</nz-descriptions-item>
              <nz-descriptions-item nzTitle="主送">{{ p.mainTo || '—' }}</nz-descriptions-item>
              <nz-descriptions-item nzTitle="抄送">{{ p.cc || '—' }}</nz-descriptions-item>
            </nz-descriptions>
          </nz-card>

          @if (report(); as r) {
            <nz-card
              nzTitle="四性检测报告"
              nzSize="small"
              id="check-report"
              [nzExtra]="printReport"
            >
              <zw-check-report [report]="r" [checkedAt]="reportAt()" />
            </nz-card>
            <ng-template #printReport>
              <button nz-button nzSize="small" (click)="printReportPdf()">
                <nz-icon nzType="printer" />打印报告（PDF）
              </button>
            </ng-template>
          }

          <nz-card nzTitle="文件" nzSize="small">
            <nz-table
              #files
              [nzData]="p.files"
              [nzShowPagination]="false"
              nzSize="small"
              [nzScroll]="{ x: '960px' }"
            >
              <thead>
                <tr>
                  <th nzWidth="220px">文件名</th>
                  <th nzWidth="90px">大小</th>
                  <th>SHA-256</th>
                  <th>SM3</th>
                  <!-- Kept in view at the right: the digests are long, the download is what people came for. -->
                  <th nzWidth="80px" nzRight>操作</th>
                </tr>
              </thead>
              <tbody>
                @for (f of files.data; track f.name) {
                  <tr>
                    <td>{{ f.name }}</td>
                    <td>{{ size(f.size) }}</td>
                    <td class="digest">{{ f.sha256 }}</td>
                    <td class="digest">{{ f.sm3 }}</td>
                    <td nzRight>
                      <button
                        nz-button
                        nzType="link"
                        type="button"
                        [attr.aria-label]="'下载 ' + f.name"
                        (click)="download(f.name)"
                      >
                        下载
                      </button>
                    </td>
                  </tr>
                }
              </tbody>
            </nz-table>
          </nz-card>

          <nz-card nzTitle="业务事件" nzSize="small">
            <nz-table
              #events
              [nzData]="p.events"
              [nzShowPagination]="false"
              nzSize="small"
              [nzScroll]="{ x: '900px' }"
            >
              <thead>
                <tr>
                  <th nzWidth="160px">时间</th>
                  <th nzWidth="140px">环节</th>
                  <th nzWidth="100px">行为</th>
                  <th nzWidth="100px">人员</th>
                  <th nzWidth="160px">单位</th>
                  <th>说明</th>
                </tr>
              </thead>
              <tbody>
                @for (e of events.data; track $index) {
                  <tr>
                    <td>{{ e.at | date: 'yyyy-MM-dd HH:mm' }}</td>
                    <td>{{ e.step }}</td>
                    <td>{{ e.action }}</td>
                    <td>{{ e.person }}</td>
                    <td>{{ e.unit }}</td>
                    <td>{{ e.description ?? '' }}</td>
                  </tr>
                }
              </tbody>
            </nz-table>
          </nz-card>
        }
      </nz-spin>
    </div>
  `,
  styles: `
    .actions {
      display: flex;
      gap: 8px;
    }
    nz-card {
      margin-bottom: 12px;
    }
    .digest {
      font-family: monospace;
      font-size: 12px;
      word-break: break-all;
    }
  `,
})
export class ArchivePackageView implements OnInit {
  private readonly api = inject(Api);
  private readonly message = inject(NzMessageService);
  private readonly files = inject(ArchiveFiles);
  /** Route parameter. */
  readonly id = input.required<string>();
  protected readonly pkg = signal<ArchivePackageDetail | null>(null);
  protected readonly loading = signal(false);
  protected readonly checking = signal(false);
  protected readonly report = signal<CheckReport | null>(null);
  protected readonly reportAt = signal<string | null>(null);
  protected readonly size = formatSize;

  ngOnInit(): void {
    void this.load();
  }

  async check(): Promise<void> {
    this.checking.set(true);
    try {
      const report = await this.api.post<CheckReport>(`/archive/${this.id()}/check`);
      this.report.set(report);
      this.reportAt.set(new Date().toLocaleString('zh-CN'));
      if (report.ok) this.message.success('四性检测通过');
      else this.message.warning('四性检测未通过，请查看报告中标红的检测项');
    } catch (error) {
      this.message.error(error instanceof ApiError ? error.message : '检测失败，请稍后重试');
    } finally {
      this.checking.set(false);
    }
  }

  /** Opens the PDF of the latest check for printing. */
  async printReportPdf(): Promise<void> {
    try {
      const url = URL.createObjectURL(await this.files.report(this.id()));
      window.open(url, '_blank');
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
    } catch (error) {
      this.message.error(error instanceof ApiError ? error.message : '报告生成失败，请稍后重试');
    }
  }

  async download(name: string): Promise<void> {
    const p = this.pkg();
    if (!p) return;
    try {
      const blob = await this.files.get(this.id(), name);
      const url = URL.createObjectURL(blob);
      const a = document.createElement('a');
      a.href = url;
      a.download = downloadName(p.archiveNumber, name);
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (error) {
      this.message.error(error instanceof ApiError ? error.message : '下载失败，请稍后重试');
    }
  }

  private async load(): Promise<void> {
    this.loading.set(true);
    try {
      const pkg = await this.api.get<ArchivePackageDetail>(`/archive/${this.id()}`);
      this.pkg.set(pkg);
      if (pkg.lastCheck) {
        this.report.set(pkg.lastCheck.report);
        this.reportAt.set(new Date(pkg.lastCheck.checkedAt).toLocaleString('zh-CN'));
      }
    } catch (error) {
      this.message.error(
        error instanceof ApiError ? error.message : '档案加载失败，请返回列表重试',
      );
    } finally {
      this.loading.set(false);
    }
  }
}
