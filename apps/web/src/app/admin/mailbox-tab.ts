import { DatePipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, OnInit, inject, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { NzButtonModule } from 'ng-zorro-antd/button';
import { NzCardModule } from 'ng-zorro-antd/card';
import { NzDrawerModule } from 'ng-zorro-antd/drawer';
import { NzInputModule } from 'ng-zorro-antd/input';
import { NzMessageService } from 'ng-zorro-antd/message';
import { NzTableModule } from 'ng-zorro-antd/table';
import { Api } from '../core/api';
import { errorText } from './error-message';

interface MailSummary {
  id: string;
  from: string;
  to: string[];
  subject: string;
  receivedAt: string;
}

interface Mail extends MailSummary {
  text: string;
}

interface FailedMail {
  id: string;
  topic: string;
  subject: string | null;
  to: string[] | null;
  attempts: number;
  lastError: string | null;
  createdAt: string;
}

/** 本地邮箱: mail delivered locally when no SMTP server is configured, and mail set aside after failures. */
@Component({
  selector: 'zw-mailbox-tab',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [
    DatePipe,
    FormsModule,
    NzTableModule,
    NzButtonModule,
    NzInputModule,
    NzDrawerModule,
    NzCardModule,
  ],
  template: `
    @if (failed().length) {
      <nz-card nzTitle="发送失败的邮件" nzSize="small" class="failed">
        <nz-table
          #f
          [nzData]="failed()"
          nzSize="small"
          [nzShowPagination]="false"
          [nzScroll]="{ x: '900px' }"
        >
          <thead>
            <tr>
              <th>主题</th>
              <th nzWidth="200px">收件人</th>
              <th nzWidth="70px">次数</th>
              <th>最后错误</th>
              <th nzWidth="100px">操作</th>
            </tr>
          </thead>
          <tbody>
            @for (m of f.data; track m.id) {
              <tr>
                <td>{{ m.subject ?? m.topic }}</td>
                <td>{{ (m.to ?? []).join('、') }}</td>
                <td>{{ m.attempts }}</td>
                <td class="overdue">{{ m.lastError }}</td>
                <td>
                  <button nz-button nzType="link" type="button" (click)="retry(m)">重新发送</button>
                </td>
              </tr>
            }
          </tbody>
        </nz-table>
      </nz-card>
    }

    <form class="toolbar" (ngSubmit)="search()">
      <label for="mail-recipient">收件人</label>
      <input
        nz-input
        id="mail-recipient"
        name="recipient"
        [(ngModel)]="recipient"
        placeholder="邮箱地址"
        style="width: 240px"
      />
      <button nz-button type="submit">查询</button>
    </form>
    <nz-table
      #t
      [nzData]="items()"
      [nzLoading]="loading()"
      [nzFrontPagination]="false"
      [nzTotal]="total()"
      [nzPageIndex]="page()"
      [nzPageSize]="pageSize"
      (nzPageIndexChange)="goTo($event)"
      nzSize="small"
      [nzScroll]="{ x: '900px' }"
      nzNoResult="本地邮箱暂无邮件"
    >
      <thead>
        <tr>
          <th nzWidth="150px">时间</th>
          <th>主题</th>
          <th nzWidth="260px">收件人</th>
        </tr>
      </thead>
      <tbody>
        @for (m of t.data; track m.id) {
          <tr>
            <td>{{ m.receivedAt | date: 'yyyy-MM-dd HH:mm' }}</td>
            <td>
              <a href="#" (click)="$event.preventDefault(); open(m)">{{ m.subject }}</a>
            </td>
            <td>{{ m.to.join('、') }}</td>
          </tr>
        }
      </tbody>
    </nz-table>

    <nz-drawer
      [nzVisible]="!!mail()"
      [nzTitle]="mail()?.subject"
      [nzWidth]="600"
      (nzOnClose)="mail.set(null)"
    >
      <ng-container *nzDrawerContent>
        @if (mail(); as m) {
          <p><b>发件人：</b>{{ m.from }}</p>
          <p><b>收件人：</b>{{ m.to.join('、') }}</p>
          <p><b>时间：</b>{{ m.receivedAt | date: 'yyyy-MM-dd HH:mm:ss' }}</p>
          <pre class="body">{{ m.text }}</pre>
        }
      </ng-container>
    </nz-drawer>
  `,
  styles: `
    .failed {
      margin-bottom: 12px;
    }
    .body {
      white-space: pre-wrap;
      font-family: inherit;
      background: #fafafa;
      padding: 12px;
    }
  `,
})
export class MailboxTab implements OnInit {
  private readonly api = inject(Api);
  private readonly message = inject(NzMessageService);
  protected recipient = '';
  protected readonly items = signal<MailSummary[]>([]);
  protected readonly total = signal(0);
  protected readonly page = signal(1);
  protected readonly pageSize = 20;
  protected readonly loading = signal(false);
  protected readonly mail = signal<Mail | null>(null);
  protected readonly failed = signal<FailedMail[]>([]);

  ngOnInit(): void {
    void this.load();
    void this.loadFailed();
  }

  search(): void {
    this.page.set(1);
    void this.load();
  }

  goTo(page: number): void {
    this.page.set(page);
    void this.load();
  }

  async open(m: MailSummary): Promise<void> {
    try {
      this.mail.set(await this.api.get<Mail>(`/mailbox/${m.id}`));
    } catch (error) {
      this.message.error(errorText(error, '邮件打开失败，请刷新后重试'));
    }
  }

  async retry(m: FailedMail): Promise<void> {
    try {
      await this.api.post(`/notifications/${m.id}/retry`);
      this.message.success('已重新排队发送');
      await this.loadFailed();
    } catch (error) {
      this.message.error(errorText(error, '重新发送失败，请稍后再试'));
    }
  }

  private async load(): Promise<void> {
    this.loading.set(true);
    try {
      const res = await this.api.get<{ items: MailSummary[]; total: number }>('/mailbox', {
        recipient: this.recipient.trim(),
        limit: this.pageSize,
        offset: (this.page() - 1) * this.pageSize,
      });
      this.items.set(res.items);
      this.total.set(res.total);
    } catch (error) {
      this.message.error(errorText(error, '本地邮箱加载失败，请刷新页面重试'));
    } finally {
      this.loading.set(false);
    }
  }

  private async loadFailed(): Promise<void> {
    try {
      this.failed.set(await this.api.get<FailedMail[]>('/notifications/failed'));
    } catch (error) {
      this.message.error(errorText(error, '发送失败的邮件加载失败，请刷新页面重试'));
    }
  }
}
