import { DatePipe } from '@angular/common';
import { Component, inject, signal } from '@angular/core';
import { Router, RouterLink } from '@angular/router';
import { NzButtonModule } from 'ng-zorro-antd/button';
import { NzIconModule } from 'ng-zorro-antd/icon';
import { NzMessageService } from 'ng-zorro-antd/message';
import { NzTableModule } from 'ng-zorro-antd/table';
import { NzTagModule } from 'ng-zorro-antd/tag';
import { Api, ApiError } from '../core/api';
import { Auth } from '../core/auth';
import { Viewport } from '../core/viewport';
import { submissionColor, type ListSummary, type Submission } from './data-collection.model';
import { ListEditor } from './list-editor';

/** 基础数据汇交: the yearly lists, the person's unit's submissions, and (信息中心) the list editor. */
@Component({
  selector: 'zw-data-collection-page',
  imports: [
    DatePipe,
    RouterLink,
    ListEditor,
    NzButtonModule,
    NzIconModule,
    NzTableModule,
    NzTagModule,
  ],
  template: `
    <div class="page">
      <div class="page-header">
        <h2>基础数据汇交</h2>
        @if (auth.hasRole('drafter')) {
          <button nz-button type="button" (click)="editing.set(!editing())" data-testid="new-list">
            <nz-icon nzType="plus" />起草汇交清单
          </button>
        }
      </div>

      @if (editing()) {
        <zw-list-editor (saved)="open($event)" />
      }

      <h3>汇交清单</h3>
      <nz-table
        #lt
        class="zw-cards"
        [nzData]="lists()"
        [nzShowPagination]="false"
        [nzLoading]="loading()"
        nzNoResult="暂无汇交清单"
        [nzScroll]="viewport.isPhone() ? {} : { x: '760px' }"
        data-testid="collection-lists"
      >
        <thead>
          <tr>
            <th nzWidth="70px">年度</th>
            <th>清单</th>
            <th nzWidth="100px">状态</th>
            <th nzWidth="90px">数据项</th>
            <th nzWidth="90px">汇交任务</th>
            <th nzWidth="140px">下发时间</th>
          </tr>
        </thead>
        <tbody>
          @for (l of lt.data; track l.id) {
            <tr>
              <td data-label="年度">{{ l.year }}</td>
              <td data-label="清单">
                <a [routerLink]="['/data-collection/lists', l.id]">{{ l.title }}</a>
              </td>
              <td data-label="状态">
                <nz-tag>{{ l.status }}</nz-tag>
              </td>
              <td data-label="数据项">{{ l.itemCount }}</td>
              <td data-label="汇交任务">{{ l.submissionCount }}</td>
              <td data-label="下发时间">{{ l.issuedAt | date: 'yyyy-MM-dd HH:mm' }}</td>
            </tr>
          }
        </tbody>
      </nz-table>

      <h3>汇交任务</h3>
      <nz-table
        #st
        class="zw-cards"
        [nzData]="submissions()"
        [nzShowPagination]="false"
        [nzLoading]="loading()"
        nzNoResult="暂无汇交任务"
        [nzScroll]="viewport.isPhone() ? {} : { x: '860px' }"
        data-testid="collection-submissions"
      >
        <thead>
          <tr>
            <th nzWidth="160px">单位</th>
            <th>数据</th>
            <th nzWidth="90px">格式</th>
            <th nzWidth="110px">状态</th>
            <th nzWidth="140px">截止时间</th>
          </tr>
        </thead>
        <tbody>
          @for (s of st.data; track s.id) {
            <tr>
              <td data-label="单位">{{ s.unitName }}</td>
              <td data-label="数据">
                <a [routerLink]="['/data-collection/submissions', s.id]"
                  >{{ s.year }}年 {{ s.itemName }}</a
                >
              </td>
              <td data-label="格式">{{ s.format }}</td>
              <td data-label="状态">
                <nz-tag [nzColor]="color(s.status)">{{ s.status }}</nz-tag>
              </td>
              <td data-label="截止时间">{{ s.dueAt | date: 'yyyy-MM-dd HH:mm' }}</td>
            </tr>
          }
        </tbody>
      </nz-table>
    </div>
  `,
})
export class DataCollectionPage {
  private readonly api = inject(Api);
  private readonly router = inject(Router);
  private readonly message = inject(NzMessageService);
  protected readonly auth = inject(Auth);
  protected readonly viewport = inject(Viewport);
  protected readonly lists = signal<ListSummary[]>([]);
  protected readonly submissions = signal<Submission[]>([]);
  protected readonly loading = signal(false);
  protected readonly editing = signal(false);
  constructor() {
    void this.load();
  }

  async load(): Promise<void> {
    this.loading.set(true);
    try {
      const [lists, subs] = await Promise.all([
        this.api.get<{ items: ListSummary[] }>('/data-collection/lists', { limit: 100 }),
        this.api.get<{ items: Submission[] }>('/data-collection/submissions', { limit: 200 }),
      ]);
      this.lists.set(lists.items);
      this.submissions.set(subs.items);
    } catch (error) {
      this.message.error(error instanceof ApiError ? error.message : '加载失败，请刷新页面');
    } finally {
      this.loading.set(false);
    }
  }

  async open(id: string): Promise<void> {
    await this.router.navigate(['/data-collection/lists', id]);
  }

  protected color(status: string): string {
    return submissionColor(status);
  }
}
