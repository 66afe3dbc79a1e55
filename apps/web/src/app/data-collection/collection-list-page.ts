import { DatePipe } from '@angular/common';
import { Component, computed, inject, input, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { RouterLink } from '@angular/router';
import { NzButtonModule } from 'ng-zorro-antd/button';
import { NzIconModule } from 'ng-zorro-antd/icon';
import { NzInputModule } from 'ng-zorro-antd/input';
import { NzMessageService } from 'ng-zorro-antd/message';
import { NzTableModule } from 'ng-zorro-antd/table';
import { NzTagModule } from 'ng-zorro-antd/tag';
import { NgxEchartsDirective } from 'ngx-echarts';
import { Api, ApiError } from '../core/api';
import { Auth } from '../core/auth';
import { Downloads } from '../core/downloads';
import { Viewport } from '../core/viewport';
import { ListEditor } from './list-editor';
import {
  BOARD_STATES,
  LEVELS,
  boardChartOption,
  stateColor,
  type Board,
  type CollectionList,
} from './data-collection.model';

/** One list: its datasets, 信息办's decision, 下发, the status board (chart, CSV) and the year-end 通报. */
@Component({
  selector: 'zw-collection-list-page',
  imports: [
    DatePipe,
    FormsModule,
    RouterLink,
    ListEditor,
    NgxEchartsDirective,
    NzButtonModule,
    NzIconModule,
    NzInputModule,
    NzTableModule,
    NzTagModule,
  ],
  template: `
    <div class="page">
      @if (list(); as l) {
        <div class="page-header">
          <h2>{{ l.title }}</h2>
          <nz-tag>{{ l.status }}</nz-tag>
        </div>
        @if (l.lastOpinion && l.status === '退回修改') {
          <p class="warn">信息办退回意见：{{ l.lastOpinion }}</p>
        }
        @if (l.isDrafter && l.status === '退回修改') {
          <zw-list-editor [initial]="l" (saved)="load()" />
        }
        <div class="actions">
          @if (l.status === '待审批' && auth.hasRole('office-reviewer')) {
            <input
              nz-input
              name="comment"
              [(ngModel)]="comment"
              placeholder="审批意见（退回时必填）"
              aria-label="审批意见"
              class="comment"
            />
            <button
              nz-button
              nzType="primary"
              type="button"
              (click)="decide('approve')"
              [nzLoading]="busy()"
            >
              同意下发
            </button>
            <button nz-button type="button" (click)="decide('return')" [nzLoading]="busy()">
              退回
            </button>
          }
          @if (
            l.isDrafter && (l.status === '已批准' || (l.status === '已下发' && !l.noticeDocumentId))
          ) {
            <button
              nz-button
              nzType="primary"
              type="button"
              (click)="issue()"
              [nzLoading]="busy()"
              data-testid="issue"
            >
              以通知下发
            </button>
          }
          @if (l.isDrafter && l.status === '已下发') {
            <button
              nz-button
              type="button"
              (click)="bulletin()"
              [nzLoading]="busy()"
              data-testid="bulletin"
            >
              起草年度通报
            </button>
          }
          @if (l.noticeDocumentId) {
            <a nz-button nzType="link" [routerLink]="['/documents', l.noticeDocumentId]"
              >查看下发通知</a
            >
          }
          @if (l.bulletinDocumentId) {
            <a nz-button nzType="link" [routerLink]="['/documents', l.bulletinDocumentId]"
              >查看通报</a
            >
          }
        </div>

        <h3>汇交数据</h3>
        <nz-table
          #it
          class="zw-cards"
          [nzData]="l.items"
          [nzShowPagination]="false"
          [nzScroll]="viewport.isPhone() ? {} : { x: '900px' }"
        >
          <thead>
            <tr>
              <th nzWidth="110px">编码</th>
              <th>名称</th>
              <th nzWidth="90px">格式</th>
              <th nzWidth="100px">坐标系</th>
              <th nzWidth="90px">上限</th>
              <th nzWidth="90px">期限</th>
              <th nzWidth="200px">汇交单位</th>
            </tr>
          </thead>
          <tbody>
            @for (i of it.data; track i.code) {
              <tr>
                <td data-label="编码">{{ i.code }}</td>
                <td data-label="名称">{{ i.name }}（{{ i.kind }}）</td>
                <td data-label="格式">{{ i.format }}</td>
                <td data-label="坐标系">{{ i.coordinateSystem }}</td>
                <td data-label="上限">{{ i.maxSizeMb }} MB</td>
                <td data-label="期限">{{ i.dueWorkingDays }} 个工作日</td>
                <td data-label="汇交单位">
                  {{ levelText(i.levels) }}（{{ i.regions.join('、') }}）
                </td>
              </tr>
            }
          </tbody>
        </nz-table>

        @if (board(); as b) {
          <div class="page-header">
            <h3>汇交情况</h3>
            <button nz-button type="button" (click)="csv()" data-testid="board-csv">
              <nz-icon nzType="download" />导出 CSV
            </button>
          </div>
          <div class="counts" data-testid="board-counts">
            @for (s of states; track s) {
              <nz-tag [nzColor]="color(s)">{{ s }} {{ b.figures.counts[s] }}</nz-tag>
            }
            <span>共 {{ b.figures.total }} 项</span>
          </div>
          @if (b.figures.provinces.length > 0) {
            <div
              echarts
              class="chart"
              [options]="chart()"
              role="img"
              aria-label="各省汇交情况图"
            ></div>
            <ul class="rates">
              @for (p of b.figures.provinces; track p.provinceName) {
                <li>
                  {{ p.provinceName }}：按时汇交率 {{ p.onTimeRate }}%（{{ p.onTime }}/{{
                    p.total
                  }}）
                </li>
              }
            </ul>
          }
          <nz-table
            #bt
            class="zw-cards"
            [nzData]="b.rows"
            [nzPageSize]="50"
            [nzScroll]="viewport.isPhone() ? {} : { x: '820px' }"
            data-testid="board"
          >
            <thead>
              <tr>
                <th nzWidth="160px">省份</th>
                <th nzWidth="180px">单位</th>
                <th>数据</th>
                <th nzWidth="100px">办理状态</th>
                <th nzWidth="90px">汇交情况</th>
                <th nzWidth="140px">截止时间</th>
              </tr>
            </thead>
            <tbody>
              @for (r of bt.data; track r.submissionId) {
                <tr>
                  <td data-label="省份">{{ r.provinceName }}</td>
                  <td data-label="单位">{{ r.unitName }}</td>
                  <td data-label="数据">
                    <a [routerLink]="['/data-collection/submissions', r.submissionId]">{{
                      r.itemName
                    }}</a>
                  </td>
                  <td data-label="办理状态">{{ r.status }}</td>
                  <td data-label="汇交情况">
                    <nz-tag [nzColor]="color(r.state)">{{ r.state }}</nz-tag>
                  </td>
                  <td data-label="截止时间">{{ r.dueAt | date: 'yyyy-MM-dd HH:mm' }}</td>
                </tr>
              }
            </tbody>
          </nz-table>
        }
      }
    </div>
  `,
  styles: `
    .actions {
      display: flex;
      flex-wrap: wrap;
      gap: 8px;
      margin-bottom: 16px;
    }
    .comment {
      flex: 1 1 240px;
      min-width: 0;
    }
    .counts {
      display: flex;
      flex-wrap: wrap;
      gap: 8px;
      align-items: center;
      margin-bottom: 8px;
    }
    .chart {
      height: 280px;
      width: 100%;
    }
    .warn {
      color: #d46b08;
    }
  `,
})
export class CollectionListPage {
  private readonly api = inject(Api);
  private readonly downloads = inject(Downloads);
  private readonly message = inject(NzMessageService);
  protected readonly auth = inject(Auth);
  protected readonly viewport = inject(Viewport);
  readonly id = input.required<string>();
  protected readonly states = BOARD_STATES;
  protected readonly list = signal<CollectionList | null>(null);
  protected readonly board = signal<Board | null>(null);
  protected readonly busy = signal(false);
  protected readonly chart = computed(() => {
    const b = this.board();
    return b ? boardChartOption(b) : {};
  });
  protected comment = '';

  ngOnInit(): void {
    void this.load();
  }

  async load(): Promise<void> {
    try {
      const list = await this.api.get<CollectionList>(`/data-collection/lists/${this.id()}`);
      this.list.set(list);
      if (list.status === '已下发' || list.status === '已通报')
        this.board.set(await this.api.get<Board>(`/data-collection/lists/${this.id()}/board`));
    } catch (error) {
      this.message.error(error instanceof ApiError ? error.message : '加载失败，请刷新页面');
    }
  }

  async decide(outcome: 'approve' | 'return'): Promise<void> {
    await this.act(
      () =>
        this.api.post(`/data-collection/lists/${this.id()}/decide`, {
          outcome,
          comment: this.comment || undefined,
        }),
      outcome === 'approve' ? '已同意下发' : '已退回',
    );
  }

  async issue(): Promise<void> {
    await this.act(
      () => this.api.post(`/data-collection/lists/${this.id()}/issue`),
      '已下发：汇交任务已生成，通知已进入拟稿',
    );
  }

  async bulletin(): Promise<void> {
    await this.act(
      () => this.api.post(`/data-collection/lists/${this.id()}/bulletin`),
      '通报已起草，请在公文中核稿、签发',
    );
  }

  async csv(): Promise<void> {
    try {
      await this.downloads.fetch(
        `/api/data-collection/lists/${this.id()}/board.csv`,
        '基础数据汇交情况.csv',
      );
    } catch (error) {
      this.message.error(error instanceof ApiError ? error.message : '导出失败，请重试');
    }
  }

  protected levelText(levels: string[]): string {
    return levels.map((l) => LEVELS.find((x) => x.value === l)?.label ?? l).join('、');
  }

  protected color(state: string): string {
    return stateColor(state);
  }

  private async act(call: () => Promise<unknown>, done: string): Promise<void> {
    this.busy.set(true);
    try {
      await call();
      this.message.success(done);
      this.comment = '';
      await this.load();
    } catch (error) {
      this.message.error(error instanceof ApiError ? error.message : '操作失败，请重试');
    } finally {
      this.busy.set(false);
    }
  }
}
