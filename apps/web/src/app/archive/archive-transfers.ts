import { DatePipe } from '@angular/common';
import { Component, OnInit, inject, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { RouterLink } from '@angular/router';
import { NzAlertModule } from 'ng-zorro-antd/alert';
import { NzButtonModule } from 'ng-zorro-antd/button';
import { NzCardModule } from 'ng-zorro-antd/card';
import { NzInputNumberModule } from 'ng-zorro-antd/input-number';
import { NzMessageService } from 'ng-zorro-antd/message';
import { NzTableModule } from 'ng-zorro-antd/table';
import { NzTagModule } from 'ng-zorro-antd/tag';
import { Api, toApiError } from '../core/api';
import { Downloads } from '../core/downloads';
import { transferYearError } from './archive.logic';

interface TransferRow {
  id: string;
  direction: 'export' | 'import';
  batch: string;
  creator: string;
  year: number | null;
  packageCount: number;
  size: string;
  sm3: string;
  ok: boolean;
  createdAt: string;
  userName: string;
}

interface Verification {
  ok: boolean;
  transferId: string;
  creator: string;
  createdAt: string;
  signatures: { ok: boolean; kind: string; detail: string; subject?: string }[];
  listProblems: string[];
  packages: { archiveNumber: string; title: string; ok: boolean; problems: string[] }[];
  reasons: string[];
}

/**
 * 移交与接收 (DA/T 48 封装包): an archivist exports a year's packages for the 档案馆 as a signed EEP (each package
 * passes the 移交与接收 checks first), verifies an EEP received, and sees every transfer either way. The keys'
 * certificates are here for the 档案馆 to check the signatures with.
 */
@Component({
  selector: 'zw-archive-transfers',
  imports: [
    DatePipe,
    FormsModule,
    RouterLink,
    NzAlertModule,
    NzButtonModule,
    NzCardModule,
    NzInputNumberModule,
    NzTableModule,
    NzTagModule,
  ],
  template: `
    <div class="page">
      <div class="page-header">
        <h2>移交与接收</h2>
        <div class="toolbar"><a nz-button routerLink="/archive">返回电子档案</a></div>
      </div>

      <nz-card nzTitle="移交（导出封装包）" nzSize="small">
        <p class="muted">
          按年度导出本单位的电子档案为 DA/T 48
          封装包（XML，含移交清单和检测结果），每件档案先通过移交与接收检测；导出的封装包用本系统的档案签名证书签名。
        </p>
        <div class="row">
          <label for="transfer-year">年度</label>
          <nz-input-number nzId="transfer-year" [(ngModel)]="year" [nzMin]="1949" [nzMax]="2999" />
          <button
            nz-button
            nzType="primary"
            type="button"
            [nzLoading]="exporting()"
            (click)="export()"
          >
            导出封装包
          </button>
        </div>
        @if (yearError()) {
          <p class="error" role="alert">{{ yearError() }}</p>
        }
        <p class="links">
          <button
            nz-button
            nzType="link"
            type="button"
            (click)="download('/api/archive/certificate.pem', 'archive-signing.pem')"
          >
            下载档案签名证书
          </button>
          <button
            nz-button
            nzType="link"
            type="button"
            (click)="download('/api/seals/ca.crt', 'ca.crt')"
          >
            下载本系统 CA 证书
          </button>
          <button
            nz-button
            nzType="link"
            type="button"
            (click)="download('/api/archive/schema/metadata.xsd', 'metadata.xsd')"
          >
            下载元数据 XSD
          </button>
        </p>
      </nz-card>

      <nz-card nzTitle="接收（验证封装包）" nzSize="small">
        <p class="muted">
          上传收到的封装包，验证签名与证书链、每个文件的摘要、移交清单和每件档案的移交与接收检测。
        </p>
        <!-- The browser's own file control speaks the browser's language: a Chinese button opens it instead. -->
        <label class="ant-btn ant-btn-default upload" [class.ant-btn-loading]="verifying()">
          <span>{{ verifying() ? '正在验证…' : '选择封装包（XML）并验证' }}</span>
          <input
            type="file"
            class="file-input"
            accept=".xml,application/xml,text/xml"
            (change)="verify($event)"
            [disabled]="verifying()"
          />
        </label>
        @if (verification(); as v) {
          <nz-alert
            [nzType]="v.ok ? 'success' : 'error'"
            nzShowIcon
            [nzMessage]="v.ok ? '封装包验证通过，可以接收' : '封装包未通过验证，不能接收'"
            [nzDescription]="
              v.ok
                ? '形成单位：' + v.creator + '，' + v.packages.length + ' 件档案'
                : v.reasons.join('；')
            "
            data-testid="transfer-verdict"
          />
          <ul class="checks">
            @for (s of v.signatures; track $index) {
              <li>
                <nz-tag [nzColor]="s.ok ? 'green' : 'red'">{{ s.ok ? '通过' : '未通过' }}</nz-tag>{{
                  s.kind
                }}：{{ s.detail }}
              </li>
            }
            @for (p of v.packages; track p.archiveNumber) {
              <li>
                <nz-tag [nzColor]="p.ok ? 'green' : 'red'">{{ p.ok ? '通过' : '未通过' }}</nz-tag>{{
                  p.archiveNumber
                }}
                {{ p.title }}
                @if (p.problems.length) {
                  <span class="error">（{{ p.problems.join('；') }}）</span>
                }
              </li>
            }
          </ul>
        }
      </nz-card>

      <nz-card nzTitle="移交与接收记录" nzSize="small">
        <nz-table
          #table
          [nzData]="rows()"
          nzSize="small"
          [nzFrontPagination]="false"
          [nzScroll]="{ x: '900px' }"
        >
          <thead>
            <tr>
              <th nzWidth="70px">方向</th>
              <th>批次</th>
              <th>形成单位</th>
              <th nzWidth="70px">年度</th>
              <th nzWidth="70px">件数</th>
              <th nzWidth="80px">结果</th>
              <th nzWidth="100px">经办人</th>
              <th nzWidth="150px">时间</th>
            </tr>
          </thead>
          <tbody>
            @for (r of table.data; track r.id) {
              <tr>
                <td>{{ r.direction === 'export' ? '移交' : '接收' }}</td>
                <td class="wrap">{{ r.batch }}</td>
                <td>{{ r.creator }}</td>
                <td>{{ r.year ?? '—' }}</td>
                <td>{{ r.packageCount }}</td>
                <td>
                  <nz-tag [nzColor]="r.ok ? 'green' : 'red'">{{ r.ok ? '通过' : '未通过' }}</nz-tag>
                </td>
                <td>{{ r.userName }}</td>
                <td>{{ r.createdAt | date: 'yyyy-MM-dd HH:mm' }}</td>
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
    .row {
      display: flex;
      flex-wrap: wrap;
      gap: 12px;
      align-items: center;
    }
    .muted {
      color: #666;
    }
    .error {
      color: #cf1322;
    }
    .wrap {
      word-break: break-all;
    }
    .links {
      margin: 8px 0 0;
    }
    .upload {
      position: relative;
      margin-bottom: 12px;
    }
    .file-input {
      position: absolute;
      inset: 0;
      opacity: 0;
      cursor: pointer;
      width: 100%;
    }
    .upload:focus-within {
      outline: 2px solid #0958d9;
      outline-offset: 2px;
    }
    .checks {
      list-style: none;
      padding: 0;
      margin: 12px 0 0;
    }
    .checks li {
      padding: 4px 0;
    }
  `,
})
export class ArchiveTransfers implements OnInit {
  private readonly api = inject(Api);
  private readonly downloads = inject(Downloads);
  private readonly message = inject(NzMessageService);
  protected year = new Date().getFullYear() - 1;
  protected readonly rows = signal<TransferRow[]>([]);
  protected readonly exporting = signal(false);
  protected readonly verifying = signal(false);
  protected readonly yearError = signal<string | null>(null);
  protected readonly verification = signal<Verification | null>(null);

  ngOnInit(): void {
    void this.load();
  }

  async load(): Promise<void> {
    try {
      this.rows.set(await this.api.get<TransferRow[]>('/archive/transfers'));
    } catch (error) {
      this.message.error(toApiError(error).message || '记录加载失败');
    }
  }

  protected async export(): Promise<void> {
    const problem = transferYearError(this.year);
    this.yearError.set(problem);
    if (problem) return;
    this.exporting.set(true);
    try {
      await this.downloads.fetch('/api/archive/transfers', `移交封装包-${this.year}.xml`, {
        year: this.year,
      });
      this.message.success('已导出封装包');
      await this.load();
    } catch (error) {
      this.yearError.set(toApiError(error).message || '导出失败');
    } finally {
      this.exporting.set(false);
    }
  }

  protected async verify(event: Event): Promise<void> {
    const input = event.target as HTMLInputElement;
    const file = input.files?.[0];
    if (!file) return;
    this.verifying.set(true);
    try {
      this.verification.set(await this.api.upload<Verification>('/archive/transfers/verify', file));
      await this.load();
    } catch (error) {
      this.message.error(toApiError(error).message || '验证失败');
    } finally {
      this.verifying.set(false);
      input.value = '';
    }
  }

  protected async download(path: string, name: string): Promise<void> {
    try {
      await this.downloads.fetch(path, name);
    } catch (error) {
      this.message.error(toApiError(error).message || '下载失败');
    }
  }
}
