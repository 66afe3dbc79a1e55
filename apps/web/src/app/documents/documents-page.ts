import { DatePipe } from '@angular/common';
import { Component, inject, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { ActivatedRoute, Router, RouterLink } from '@angular/router';
import { NzButtonModule } from 'ng-zorro-antd/button';
import { NzFormModule } from 'ng-zorro-antd/form';
import { NzIconModule } from 'ng-zorro-antd/icon';
import { NzInputModule } from 'ng-zorro-antd/input';
import { NzMessageService } from 'ng-zorro-antd/message';
import { NzModalModule } from 'ng-zorro-antd/modal';
import { NzSelectModule } from 'ng-zorro-antd/select';
import { NzTableModule } from 'ng-zorro-antd/table';
import { NzTabsModule } from 'ng-zorro-antd/tabs';
import { NzTagModule } from 'ng-zorro-antd/tag';
import { Api, ApiError } from '../core/api';
import { Auth } from '../core/auth';
import { Viewport } from '../core/viewport';
import { DOC_TYPES, receiptSummary, statusColor } from './document-form.logic';

type Box = 'sent' | 'received';

interface DocumentRow {
  id: string;
  docType: string;
  title: string;
  secrecy: string;
  urgency: string;
  status: string;
  docNumber: string | null;
  createdAt: string;
  signedAt: string | null;
  unitName: string;
  receiptCounts?: Record<string, number> | null;
  receiptId?: string;
  /** Set when the document came from a partner deployment (公文交换): it has no local page of its own. */
  exchangePackageId?: string | null;
  kind?: string;
  receiptStatus?: string;
  deliveredAt?: string;
  dueAt?: string | null;
  isOverdue?: boolean;
}

const SENT_STATUSES = ['拟稿', '核稿', '会签', '签发', '分发', '办结', '不予签发', '已撤销'];
const RECEIVED_STATUSES = ['已送达', '已签收', '退文', '办理中', '办结'];

/** 公文交换: 发文 of my unit (with each recipient's progress) and 收文 to sign for or refuse. */
@Component({
  selector: 'zw-documents-page',
  imports: [
    DatePipe,
    FormsModule,
    RouterLink,
    NzButtonModule,
    NzFormModule,
    NzIconModule,
    NzInputModule,
    NzModalModule,
    NzSelectModule,
    NzTableModule,
    NzTabsModule,
    NzTagModule,
  ],
  template: `
    <div class="page">
      <div class="page-header">
        <h2>公文交换</h2>
        @if (canDraft) {
          <a nz-button nzType="primary" routerLink="/documents/new"
            ><nz-icon nzType="plus" />起草公文</a
          >
        }
      </div>

      <nz-tabs
        [nzSelectedIndex]="box() === 'sent' ? 0 : 1"
        (nzSelectedIndexChange)="switchBox($event === 0 ? 'sent' : 'received')"
      >
        <nz-tab nzTitle="发文" />
        <nz-tab nzTitle="收文" />
      </nz-tabs>

      <form class="toolbar" (ngSubmit)="search()">
        <input
          nz-input
          name="q"
          [(ngModel)]="q"
          placeholder="标题或发文字号"
          aria-label="搜索标题或发文字号"
          class="search"
        />
        <nz-select
          name="status"
          [(ngModel)]="status"
          nzAllowClear
          nzPlaceHolder="状态"
          aria-label="状态"
          class="filter"
        >
          @for (s of statuses(); track s) {
            <nz-option [nzValue]="s" [nzLabel]="s" />
          }
        </nz-select>
        <nz-select
          name="docType"
          [(ngModel)]="docType"
          nzAllowClear
          nzPlaceHolder="文种"
          aria-label="文种"
          class="filter"
        >
          @for (t of docTypes; track t) {
            <nz-option [nzValue]="t" [nzLabel]="t" />
          }
        </nz-select>
        <button nz-button type="submit"><nz-icon nzType="search" />查询</button>
      </form>

      <div class="scroll">
        <nz-table
          #table
          [nzData]="items()"
          [nzFrontPagination]="false"
          [nzTotal]="total()"
          [nzPageIndex]="page()"
          [nzPageSize]="pageSize"
          [nzLoading]="loading()"
          (nzPageIndexChange)="goTo($event)"
          nzSize="middle"
          [nzNoResult]="box() === 'sent' ? '暂无发文' : '暂无收文'"
          [nzScroll]="viewport.isPhone() ? {} : { x: '1100px' }"
          [nzSimple]="viewport.isPhone()"
          class="zw-cards"
          data-testid="documents-table"
        >
          <thead>
            <tr>
              <th>标题</th>
              <th nzWidth="160px">发文字号</th>
              <th nzWidth="70px">文种</th>
              <th nzWidth="80px">紧急程度</th>
              @if (box() === 'sent') {
                <th nzWidth="90px">状态</th>
                <th nzWidth="240px">收文单位情况</th>
                <th nzWidth="140px">拟稿时间</th>
              } @else {
                <th nzWidth="150px">发文单位</th>
                <th nzWidth="70px">主送/抄送</th>
                <th nzWidth="100px">状态</th>
                <th nzWidth="150px">签收期限</th>
                <th nzWidth="120px">操作</th>
              }
            </tr>
          </thead>
          <tbody>
            @for (d of table.data; track d.receiptId ?? d.id) {
              <tr data-testid="document-row">
                <td class="zw-card-title">
                  <a
                    [routerLink]="
                      d.id ? ['/documents', d.id] : ['/documents', 'received', d.receiptId]
                    "
                    class="title-link"
                    >{{ d.title }}</a
                  >
                  @if (d.exchangePackageId) {
                    <nz-tag nzColor="blue" title="经公文交换收自其他系统">交换</nz-tag>
                  }
                  @if (d.secrecy && d.secrecy !== '非密') {
                    <nz-tag nzColor="red">{{ d.secrecy }}</nz-tag>
                  }
                </td>
                <td data-label="发文字号">{{ d.docNumber || '—' }}</td>
                <td data-label="文种">{{ d.docType }}</td>
                <td data-label="紧急程度">
                  <nz-tag [nzColor]="d.urgency === '平急' ? 'default' : 'volcano'">{{
                    d.urgency
                  }}</nz-tag>
                </td>
                @if (box() === 'sent') {
                  <td data-label="状态">
                    <nz-tag [nzColor]="color(d.status)">{{ d.status }}</nz-tag>
                  </td>
                  <td data-label="收文情况">{{ summary(d.receiptCounts) || '—' }}</td>
                  <td data-label="拟稿时间">{{ d.createdAt | date: 'yyyy-MM-dd HH:mm' }}</td>
                } @else {
                  <td data-label="发文单位">{{ d.unitName }}</td>
                  <td data-label="主送/抄送">{{ d.kind }}</td>
                  <td data-label="状态">
                    <nz-tag [nzColor]="color(d.receiptStatus ?? '')">{{ d.receiptStatus }}</nz-tag>
                    @if (d.isOverdue) {
                      <span class="overdue">超期</span>
                    }
                  </td>
                  <td data-label="签收期限" [class.overdue]="d.isOverdue">
                    {{ d.dueAt ? (d.dueAt | date: 'yyyy-MM-dd HH:mm') : '—' }}
                  </td>
                  <td class="ops-cell">
                    @if (d.receiptStatus === '已送达' && isClerk) {
                      <div class="ops">
                        <button
                          nz-button
                          nzType="primary"
                          nzSize="small"
                          type="button"
                          [nzLoading]="acting() === d.receiptId"
                          (click)="sign(d)"
                        >
                          签收
                        </button>
                        <button
                          nz-button
                          nzDanger
                          nzSize="small"
                          type="button"
                          (click)="openRefuse(d)"
                        >
                          退文
                        </button>
                      </div>
                    }
                  </td>
                }
              </tr>
            }
          </tbody>
        </nz-table>
      </div>

      <nz-modal
        [nzVisible]="!!refusing()"
        nzTitle="退文"
        nzOkText="确定退文"
        nzCancelText="取消"
        [nzOkLoading]="acting() === refusing()?.receiptId"
        (nzOnOk)="refuse()"
        (nzOnCancel)="refusing.set(null)"
      >
        <ng-container *nzModalContent>
          <p>《{{ refusing()?.title }}》将退回发文单位{{ refusing()?.unitName }}，请写明理由。</p>
          <form nz-form nzLayout="vertical" (ngSubmit)="refuse()">
            <nz-form-item>
              <nz-form-label nzFor="refuse-reason" nzRequired>退文理由</nz-form-label>
              <nz-form-control
                [nzValidateStatus]="reasonError() ? 'error' : ''"
                [nzErrorTip]="reasonError() ?? ''"
              >
                <textarea
                  nz-input
                  id="refuse-reason"
                  name="reason"
                  rows="4"
                  [(ngModel)]="reason"
                  placeholder="如：非本单位职责，误送"
                ></textarea>
              </nz-form-control>
            </nz-form-item>
          </form>
        </ng-container>
      </nz-modal>
    </div>
  `,
  styles: `
    .search {
      width: 240px;
    }
    .filter {
      width: 140px;
    }
    .scroll {
      overflow-x: auto;
    }
    .ops {
      display: flex;
      gap: 8px;
    }
    @media (max-width: 767.98px) {
      .search {
        width: 100%;
      }
      .filter {
        width: calc(50% - 4px);
      }
      .title-link {
        display: inline-block;
        padding: 9px 0;
      }
      .ops,
      .ops-cell {
        width: 100%;
      }
      .ops > button {
        flex: 1;
      }
    }
  `,
})
export class DocumentsPage {
  private readonly api = inject(Api);
  private readonly auth = inject(Auth);
  private readonly router = inject(Router);
  private readonly route = inject(ActivatedRoute);
  private readonly message = inject(NzMessageService);
  protected readonly viewport = inject(Viewport);
  protected readonly docTypes = DOC_TYPES;
  protected readonly canDraft = this.auth.hasRole('drafter');
  protected readonly isClerk = this.auth.hasRole('clerk');
  protected readonly pageSize = 20;
  protected readonly box = signal<Box>(
    this.route.snapshot.queryParamMap.get('box') === 'received' ? 'received' : 'sent',
  );
  protected readonly statuses = signal<string[]>(SENT_STATUSES);
  protected readonly items = signal<DocumentRow[]>([]);
  protected readonly total = signal(0);
  protected readonly page = signal(1);
  protected readonly loading = signal(false);
  protected readonly acting = signal<string | null>(null);
  protected readonly refusing = signal<DocumentRow | null>(null);
  protected readonly reasonError = signal<string | null>(null);
  protected q = '';
  protected status: string | null = null;
  protected docType: string | null = null;
  protected reason = '';

  constructor() {
    this.statuses.set(this.box() === 'sent' ? SENT_STATUSES : RECEIVED_STATUSES);
    void this.load();
  }

  switchBox(box: Box): void {
    if (box === this.box()) return;
    this.box.set(box);
    this.status = null;
    this.statuses.set(box === 'sent' ? SENT_STATUSES : RECEIVED_STATUSES);
    void this.router.navigate([], { queryParams: { box }, replaceUrl: true });
    this.page.set(1);
    void this.load();
  }

  search(): void {
    this.page.set(1);
    void this.load();
  }

  goTo(page: number): void {
    this.page.set(page);
    void this.load();
  }

  async load(): Promise<void> {
    this.loading.set(true);
    try {
      const res = await this.api.get<{ items: DocumentRow[]; total: number }>('/documents', {
        box: this.box(),
        q: this.q.trim(),
        status: this.status,
        docType: this.docType,
        limit: this.pageSize,
        offset: (this.page() - 1) * this.pageSize,
      });
      this.items.set(res.items);
      this.total.set(res.total);
    } catch (error) {
      this.message.error(
        error instanceof ApiError ? error.message : '公文列表加载失败，请刷新页面',
      );
    } finally {
      this.loading.set(false);
    }
  }

  async sign(d: DocumentRow): Promise<void> {
    if (!d.receiptId) return;
    this.acting.set(d.receiptId);
    try {
      await this.api.post(`/documents/receipts/${d.receiptId}/sign`);
      this.message.success(`已签收《${d.title}》`);
      await this.load();
    } catch (error) {
      this.message.error(error instanceof ApiError ? error.message : '签收失败，请刷新后重试');
    } finally {
      this.acting.set(null);
    }
  }

  openRefuse(d: DocumentRow): void {
    this.reason = '';
    this.reasonError.set(null);
    this.refusing.set(d);
  }

  async refuse(): Promise<void> {
    const d = this.refusing();
    if (!d?.receiptId) return;
    const reason = this.reason.trim();
    if (reason.length < 2) {
      this.reasonError.set('请填写退文理由（至少 2 个字）');
      return;
    }
    this.reasonError.set(null);
    this.acting.set(d.receiptId);
    try {
      await this.api.post(`/documents/receipts/${d.receiptId}/refuse`, { reason });
      this.message.success(`已退文《${d.title}》`);
      this.refusing.set(null);
      await this.load();
    } catch (error) {
      if (error instanceof ApiError && error.fieldMessage('reason'))
        this.reasonError.set(error.fieldMessage('reason')!);
      else this.message.error(error instanceof ApiError ? error.message : '退文失败，请刷新后重试');
    } finally {
      this.acting.set(null);
    }
  }

  protected color(status: string): string {
    return statusColor(status);
  }

  protected summary(counts: Record<string, number> | null | undefined): string {
    return receiptSummary(counts);
  }
}
