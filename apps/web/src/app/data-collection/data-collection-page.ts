import { DatePipe } from '@angular/common';
import { Component, inject, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { Router, RouterLink } from '@angular/router';
import { NzButtonModule } from 'ng-zorro-antd/button';
import { NzIconModule } from 'ng-zorro-antd/icon';
import { NzInputModule } from 'ng-zorro-antd/input';
import { NzInputNumberModule } from 'ng-zorro-antd/input-number';
import { NzMessageService } from 'ng-zorro-antd/message';
import { NzSelectModule } from 'ng-zorro-antd/select';
import { NzTableModule } from 'ng-zorro-antd/table';
import { NzTagModule } from 'ng-zorro-antd/tag';
import { Api, ApiError } from '../core/api';
import { Auth } from '../core/auth';
import { Viewport } from '../core/viewport';
import {
  FORMATS,
  LEVELS,
  parseRegions,
  submissionColor,
  type ListSummary,
  type Submission,
} from './data-collection.model';

interface ItemDraft {
  code: string;
  name: string;
  kind: string;
  format: string;
  coordinateSystem: string;
  maxSizeMb: number;
  dueWorkingDays: number;
  levels: string[];
  regions: string;
}

const blankItem = (): ItemDraft => ({
  code: '',
  name: '',
  kind: '',
  format: 'GeoJSON',
  coordinateSystem: 'CGCS2000',
  maxSizeMb: 500,
  dueWorkingDays: 20,
  levels: ['province'],
  regions: '',
});

/** 基础数据汇交: the yearly lists, the person's unit's submissions, and (信息中心) the list editor. */
@Component({
  selector: 'zw-data-collection-page',
  imports: [
    DatePipe,
    FormsModule,
    RouterLink,
    NzButtonModule,
    NzIconModule,
    NzInputModule,
    NzInputNumberModule,
    NzSelectModule,
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
        <form class="editor" (ngSubmit)="create()" data-testid="list-editor">
          <h3>起草汇交清单（信息中心）</h3>
          <div class="row">
            <label
              >年度<nz-input-number name="year" [(ngModel)]="year" [nzMin]="2000" [nzMax]="2100"
            /></label>
            <label class="grow">标题<input nz-input name="title" [(ngModel)]="title" /></label>
          </div>
          @for (it of items; track $index; let i = $index) {
            <fieldset class="item">
              <legend>汇交数据 {{ i + 1 }}</legend>
              <div class="row">
                <label
                  >编码<input
                    nz-input
                    [name]="'code' + i"
                    [(ngModel)]="it.code"
                    placeholder="HJ-TDLY"
                /></label>
                <label class="grow"
                  >名称<input nz-input [name]="'name' + i" [(ngModel)]="it.name"
                /></label>
                <label>种类<input nz-input [name]="'kind' + i" [(ngModel)]="it.kind" /></label>
              </div>
              <div class="row">
                <label
                  >格式
                  <nz-select [name]="'format' + i" [(ngModel)]="it.format" class="narrow">
                    @for (f of formats; track f) {
                      <nz-option [nzValue]="f" [nzLabel]="f" />
                    }
                  </nz-select>
                </label>
                <label
                  >坐标系<input nz-input [name]="'crs' + i" [(ngModel)]="it.coordinateSystem"
                /></label>
                <label
                  >大小上限（MB）<nz-input-number
                    [name]="'max' + i"
                    [(ngModel)]="it.maxSizeMb"
                    [nzMin]="1"
                /></label>
                <label
                  >期限（工作日）<nz-input-number
                    [name]="'due' + i"
                    [(ngModel)]="it.dueWorkingDays"
                    [nzMin]="1"
                /></label>
              </div>
              <div class="row">
                <label class="grow"
                  >汇交层级
                  <nz-select [name]="'levels' + i" [(ngModel)]="it.levels" nzMode="multiple">
                    @for (l of levels; track l.value) {
                      <nz-option [nzValue]="l.value" [nzLabel]="l.label" />
                    }
                  </nz-select>
                </label>
                <label class="grow"
                  >汇交地区（行政区划代码）
                  <input
                    nz-input
                    [name]="'regions' + i"
                    [(ngModel)]="it.regions"
                    placeholder="320000、330000"
                  />
                </label>
                @if (items.length > 1) {
                  <button nz-button nzDanger type="button" (click)="items.splice(i, 1)">
                    删除
                  </button>
                }
              </div>
            </fieldset>
          }
          <div class="actions">
            <button nz-button type="button" (click)="items.push(blank())">
              <nz-icon nzType="plus" />增加一项
            </button>
            <button nz-button nzType="primary" type="submit" [nzLoading]="saving()">
              提交信息办审批
            </button>
          </div>
          @if (error()) {
            <p class="error" role="alert">{{ error() }}</p>
          }
        </form>
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
  styles: `
    .editor {
      border: 1px solid #f0f0f0;
      padding: 12px;
      margin-bottom: 16px;
      max-width: 100%;
    }
    .row {
      display: flex;
      flex-wrap: wrap;
      gap: 8px 12px;
      margin-bottom: 8px;
    }
    .row label {
      display: flex;
      flex-direction: column;
      min-width: 0;
    }
    .grow {
      flex: 1 1 220px;
    }
    .narrow {
      width: 130px;
    }
    .item {
      border: 1px dashed #d9d9d9;
      padding: 8px;
      margin-bottom: 8px;
      min-width: 0;
    }
    .actions {
      display: flex;
      flex-wrap: wrap;
      gap: 8px;
    }
    .error {
      color: #cf1322;
    }
    @media (max-width: 767.98px) {
      .row label,
      .narrow {
        width: 100%;
      }
    }
  `,
})
export class DataCollectionPage {
  private readonly api = inject(Api);
  private readonly router = inject(Router);
  private readonly message = inject(NzMessageService);
  protected readonly auth = inject(Auth);
  protected readonly viewport = inject(Viewport);
  protected readonly formats = FORMATS;
  protected readonly levels = LEVELS;
  protected readonly lists = signal<ListSummary[]>([]);
  protected readonly submissions = signal<Submission[]>([]);
  protected readonly loading = signal(false);
  protected readonly editing = signal(false);
  protected readonly saving = signal(false);
  protected readonly error = signal('');
  protected year = new Date().getFullYear();
  protected title = `${new Date().getFullYear()}年度基础数据汇交清单`;
  protected items: ItemDraft[] = [blankItem()];
  protected readonly blank = blankItem;

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

  async create(): Promise<void> {
    this.saving.set(true);
    this.error.set('');
    try {
      const created = await this.api.post<{ id: string }>('/data-collection/lists', {
        year: this.year,
        title: this.title,
        items: this.items.map((i) => ({ ...i, regions: parseRegions(i.regions) })),
      });
      this.message.success('清单已提交信息办审批');
      await this.router.navigate(['/data-collection/lists', created.id]);
    } catch (error) {
      this.error.set(error instanceof ApiError ? error.message : '提交失败，请重试');
    } finally {
      this.saving.set(false);
    }
  }

  protected color(status: string): string {
    return submissionColor(status);
  }
}
