import { DatePipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, OnInit, inject, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { NzAlertModule } from 'ng-zorro-antd/alert';
import { NzButtonModule } from 'ng-zorro-antd/button';
import { NzFormModule } from 'ng-zorro-antd/form';
import { NzInputModule } from 'ng-zorro-antd/input';
import { NzMessageService } from 'ng-zorro-antd/message';
import { NzPopconfirmModule } from 'ng-zorro-antd/popconfirm';
import { NzTableModule } from 'ng-zorro-antd/table';
import { NzTagModule } from 'ng-zorro-antd/tag';
import { Api, ApiError } from '../core/api';
import { saveBlob } from '../core/downloads';
import { partnerFormErrors, type PartnerForm } from './admin.logic';
import { errorText } from './error-message';

interface Identity {
  organCode: string;
  organName: string;
  certificate: string;
  caCertificate: string;
  inbox: string;
}

interface Partner {
  id: string;
  organCode: string;
  name: string;
  baseUrl: string;
  caFingerprint: string;
  createdAt: string;
}

interface FailedItem {
  id: string;
  kind: 'document' | 'receipt';
  organCode: string;
  unitCode: string;
  unitName: string;
  status: string;
  attempts: number;
  lastError: string | null;
  createdAt: string;
}

/**
 * 公文交换 (sysadmin): this deployment's exchange identity to give partners, the partner deployments it trusts
 * (each through its CA certificate), and what could not be delivered — to send again once the cause is fixed.
 */
@Component({
  selector: 'zw-exchange-tab',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [
    DatePipe,
    FormsModule,
    NzAlertModule,
    NzButtonModule,
    NzFormModule,
    NzInputModule,
    NzPopconfirmModule,
    NzTableModule,
    NzTagModule,
  ],
  template: `
    @if (notConfigured()) {
      <nz-alert
        nzType="info"
        nzShowIcon
        nzMessage="本系统尚未开启公文交换"
        [nzDescription]="notConfigured()!"
      />
    } @else {
      <section aria-labelledby="exchange-identity">
        <h3 id="exchange-identity">本系统的交换身份</h3>
        @if (identity(); as i) {
          <p>
            机构代码 <strong>{{ i.organCode }}</strong>，机构名称
            <strong>{{ i.organName }}</strong>，收件地址
            <code>{{ i.inbox }}</code>。对方管理员登记本系统时需要机构代码、名称、本系统地址和 CA
            证书，并通过电话核对 CA 指纹。
          </p>
          <button nz-button type="button" (click)="saveCa(i)">下载本系统 CA 证书</button>
        }
      </section>

      <section aria-labelledby="exchange-partners">
        <h3 id="exchange-partners">交换方</h3>
        <nz-table
          #partnerTable
          [nzData]="partners()"
          nzSize="small"
          [nzFrontPagination]="false"
          [nzScroll]="{ x: '900px' }"
        >
          <thead>
            <tr>
              <th nzWidth="110px">机构代码</th>
              <th>名称</th>
              <th>地址</th>
              <th nzWidth="260px">CA 证书指纹（SHA-256）</th>
              <th nzWidth="150px">登记时间</th>
              <th nzWidth="90px">操作</th>
            </tr>
          </thead>
          <tbody>
            @for (p of partnerTable.data; track p.id) {
              <tr>
                <td>{{ p.organCode }}</td>
                <td>{{ p.name }}</td>
                <td class="wrap">{{ p.baseUrl }}</td>
                <td class="wrap mono">{{ p.caFingerprint }}</td>
                <td>{{ p.createdAt | date: 'yyyy-MM-dd HH:mm' }}</td>
                <td>
                  <button
                    nz-button
                    nzDanger
                    nzSize="small"
                    type="button"
                    nz-popconfirm
                    nzPopconfirmTitle="停止与该交换方交换公文？尚未送达的交换包不再发送。"
                    (nzOnConfirm)="remove(p)"
                  >
                    停用
                  </button>
                </td>
              </tr>
            }
          </tbody>
        </nz-table>

        <h4>登记交换方</h4>
        <form nz-form nzLayout="vertical" class="partner-form" (ngSubmit)="add()">
          <nz-form-item>
            <nz-form-label nzFor="partner-code" nzRequired>机构代码</nz-form-label>
            <nz-form-control
              [nzErrorTip]="errors().organCode ?? ''"
              [nzValidateStatus]="errors().organCode ? 'error' : ''"
            >
              <input
                nz-input
                id="partner-code"
                name="organCode"
                [(ngModel)]="form.organCode"
                placeholder="如 JSZRT"
              />
            </nz-form-control>
          </nz-form-item>
          <nz-form-item>
            <nz-form-label nzFor="partner-name" nzRequired>名称</nz-form-label>
            <nz-form-control
              [nzErrorTip]="errors().name ?? ''"
              [nzValidateStatus]="errors().name ? 'error' : ''"
            >
              <input
                nz-input
                id="partner-name"
                name="name"
                [(ngModel)]="form.name"
                placeholder="如 江苏省自然资源厅"
              />
            </nz-form-control>
          </nz-form-item>
          <nz-form-item>
            <nz-form-label nzFor="partner-url" nzRequired>系统地址</nz-form-label>
            <nz-form-control
              [nzErrorTip]="errors().baseUrl ?? ''"
              [nzValidateStatus]="errors().baseUrl ? 'error' : ''"
            >
              <input
                nz-input
                id="partner-url"
                name="baseUrl"
                [(ngModel)]="form.baseUrl"
                placeholder="https://oa.js.example.gov.cn（不含 /api）"
              />
            </nz-form-control>
          </nz-form-item>
          <nz-form-item>
            <nz-form-label nzFor="partner-ca" nzRequired>对方 CA 证书（PEM）</nz-form-label>
            <nz-form-control
              [nzErrorTip]="errors().caCertificate ?? ''"
              [nzValidateStatus]="errors().caCertificate ? 'error' : ''"
            >
              <textarea
                nz-input
                id="partner-ca"
                name="caCertificate"
                rows="5"
                [(ngModel)]="form.caCertificate"
                placeholder="-----BEGIN CERTIFICATE-----（对方 /api/exchange/identity 的 caCertificate）"
              ></textarea>
            </nz-form-control>
          </nz-form-item>
          <button nz-button nzType="primary" type="submit" [nzLoading]="saving()">登记</button>
        </form>
      </section>

      <section aria-labelledby="exchange-failed">
        <h3 id="exchange-failed">未能送达</h3>
        @if (failed().length === 0) {
          <p class="muted">没有搁置的交换包或回执。</p>
        } @else {
          <nz-table
            #failedTable
            [nzData]="failed()"
            nzSize="small"
            [nzFrontPagination]="false"
            [nzScroll]="{ x: '800px' }"
          >
            <thead>
              <tr>
                <th nzWidth="70px">类型</th>
                <th>收件单位</th>
                <th nzWidth="80px">尝试次数</th>
                <th>最后错误</th>
                <th nzWidth="150px">创建时间</th>
                <th nzWidth="90px">操作</th>
              </tr>
            </thead>
            <tbody>
              @for (f of failedTable.data; track f.id) {
                <tr>
                  <td>{{ f.kind === 'document' ? '公文' : '回执' }}</td>
                  <td>{{ f.organCode }} · {{ f.unitName }}</td>
                  <td>{{ f.attempts }}</td>
                  <td class="wrap">{{ f.lastError || '—' }}</td>
                  <td>{{ f.createdAt | date: 'yyyy-MM-dd HH:mm' }}</td>
                  <td>
                    <button nz-button nzSize="small" type="button" (click)="retry(f)">
                      重新发送
                    </button>
                  </td>
                </tr>
              }
            </tbody>
          </nz-table>
        }
      </section>
    }
  `,
  styles: `
    section {
      margin-bottom: 24px;
    }
    .partner-form {
      max-width: 640px;
    }
    .wrap {
      word-break: break-all;
    }
    .mono {
      font-family: monospace;
      font-size: 12px;
    }
    .muted {
      color: #666;
    }
  `,
})
export class ExchangeTab implements OnInit {
  private readonly api = inject(Api);
  private readonly message = inject(NzMessageService);
  protected readonly identity = signal<Identity | null>(null);
  protected readonly notConfigured = signal<string | null>(null);
  protected readonly partners = signal<Partner[]>([]);
  protected readonly failed = signal<FailedItem[]>([]);
  protected readonly saving = signal(false);
  protected readonly errors = signal<Partial<Record<keyof PartnerForm, string>>>({});
  protected form: PartnerForm = { organCode: '', name: '', baseUrl: '', caCertificate: '' };

  ngOnInit(): void {
    void this.load();
  }

  async load(): Promise<void> {
    try {
      this.identity.set(await this.api.get<Identity>('/exchange/identity'));
    } catch (error) {
      if (error instanceof ApiError && error.code === 'EXCHANGE_NOT_CONFIGURED') {
        this.notConfigured.set(
          `${error.message}。设置环境变量 EXCHANGE_ORGAN_CODE（本机构代码）和 EXCHANGE_ORGAN_NAME 后重启，详见 docs/exchange.md。`,
        );
        return;
      }
      this.message.error(errorText(error, '交换身份加载失败'));
    }
    try {
      const [partners, failed] = await Promise.all([
        this.api.get<Partner[]>('/exchange/partners'),
        this.api.get<FailedItem[]>('/exchange/outgoing/failed'),
      ]);
      this.partners.set(partners);
      this.failed.set(failed);
    } catch (error) {
      this.message.error(errorText(error, '交换方加载失败'));
    }
  }

  protected saveCa(i: Identity): void {
    saveBlob(
      new Blob([i.caCertificate], { type: 'application/x-pem-file' }),
      `${i.organCode}-ca.pem`,
    );
  }

  protected async add(): Promise<void> {
    const errors = partnerFormErrors(this.form);
    this.errors.set(errors);
    if (Object.keys(errors).length > 0) return;
    this.saving.set(true);
    try {
      await this.api.post('/exchange/partners', {
        organCode: this.form.organCode.trim(),
        name: this.form.name.trim(),
        baseUrl: this.form.baseUrl.trim().replace(/\/+$/, ''),
        caCertificate: this.form.caCertificate.trim(),
      });
      this.message.success('已登记；请与对方管理员电话核对 CA 指纹');
      this.form = { organCode: '', name: '', baseUrl: '', caCertificate: '' };
      await this.load();
    } catch (error) {
      this.message.error(errorText(error, '登记失败'));
    } finally {
      this.saving.set(false);
    }
  }

  protected async remove(p: Partner): Promise<void> {
    try {
      await this.api.delete(`/exchange/partners/${p.id}`);
      this.message.success(`已停用 ${p.name}`);
      await this.load();
    } catch (error) {
      this.message.error(errorText(error, '停用失败'));
    }
  }

  protected async retry(f: FailedItem): Promise<void> {
    try {
      await this.api.post(`/exchange/outgoing/${f.id}/retry`);
      this.message.success('已重新排入发送队列');
      await this.load();
    } catch (error) {
      this.message.error(errorText(error, '重新发送失败'));
    }
  }
}
