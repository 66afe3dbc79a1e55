import { Component, OnInit, inject, input, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { Router, RouterLink } from '@angular/router';
import { NzButtonModule } from 'ng-zorro-antd/button';
import { NzCardModule } from 'ng-zorro-antd/card';
import { NzIconModule } from 'ng-zorro-antd/icon';
import { NzInputModule } from 'ng-zorro-antd/input';
import { NzInputNumberModule } from 'ng-zorro-antd/input-number';
import { NzMessageService } from 'ng-zorro-antd/message';
import { NzSelectModule } from 'ng-zorro-antd/select';
import { Api, ApiError } from '../core/api';
import {
  CADENCES,
  emptyItem,
  validatePlan,
  type Capabilities,
  type ItemDraft,
  type Plan,
} from './work-plan.model';

/** 信息办 drafts or revises the year's 工作要点: items with responsible units, deadlines, measures and report cadence. */
@Component({
  selector: 'zw-work-plan-editor-page',
  imports: [
    FormsModule,
    RouterLink,
    NzButtonModule,
    NzCardModule,
    NzIconModule,
    NzInputModule,
    NzInputNumberModule,
    NzSelectModule,
  ],
  template: `
    <div class="page">
      <div class="page-header">
        <h2>{{ id() ? '修改工作要点' : '起草年度信息化工作要点' }}</h2>
        <a nz-button [routerLink]="id() ? ['/work-plans', id()] : ['/work-plans']">返回</a>
      </div>
      <form (ngSubmit)="save(false)" data-testid="work-plan-editor">
        <nz-card nzSize="small" nzTitle="基本信息">
          <div class="grid">
            <div class="field year">
              <label for="wp-year">年度</label>
              <nz-input-number
                nzId="wp-year"
                name="year"
                [(ngModel)]="year"
                [nzMin]="2000"
                [nzMax]="2100"
                [nzDisabled]="!!id()"
              />
              @if (errors()['year']; as e) {
                <div class="error">{{ e }}</div>
              }
            </div>
            <div class="field wide">
              <label for="wp-title">标题</label>
              <input id="wp-title" nz-input name="title" maxlength="200" [(ngModel)]="title" />
              @if (errors()['title']; as e) {
                <div class="error">{{ e }}</div>
              }
            </div>
            <div class="field full">
              <label for="wp-intro">总体要求</label>
              <textarea
                id="wp-intro"
                nz-input
                name="intro"
                rows="3"
                maxlength="5000"
                [(ngModel)]="intro"
              ></textarea>
            </div>
          </div>
        </nz-card>

        @for (item of items(); track $index; let i = $index) {
          <nz-card nzSize="small" [nzTitle]="'要点 ' + (i + 1)" [nzExtra]="remove" class="item">
            <ng-template #remove>
              <button
                nz-button
                nzType="link"
                nzDanger
                type="button"
                (click)="removeItem(i)"
                [attr.aria-label]="'删除要点 ' + (i + 1)"
              >
                删除
              </button>
            </ng-template>
            <div class="grid">
              <div class="field full">
                <label [for]="'wp-t-' + i">工作要点</label>
                <input
                  [id]="'wp-t-' + i"
                  nz-input
                  [name]="'title' + i"
                  maxlength="200"
                  [(ngModel)]="item.title"
                />
                @if (errors()['items.' + i + '.title']; as e) {
                  <div class="error">{{ e }}</div>
                }
              </div>
              <div class="field full">
                <label [for]="'wp-m-' + i">工作措施</label>
                <textarea
                  [id]="'wp-m-' + i"
                  nz-input
                  [name]="'measures' + i"
                  rows="2"
                  maxlength="2000"
                  [(ngModel)]="item.measures"
                ></textarea>
                @if (errors()['items.' + i + '.measures']; as e) {
                  <div class="error">{{ e }}</div>
                }
              </div>
              <div class="field">
                <label [for]="'wp-u-' + i">责任单位</label>
                <nz-select
                  [nzId]="'wp-u-' + i"
                  [name]="'unit' + i"
                  nzShowSearch
                  nzPlaceHolder="选择责任单位"
                  [(ngModel)]="item.unitId"
                  class="select"
                >
                  @for (u of units(); track u.id) {
                    <nz-option [nzValue]="u.id" [nzLabel]="u.name" />
                  }
                </nz-select>
                @if (errors()['items.' + i + '.unitId']; as e) {
                  <div class="error">{{ e }}</div>
                }
              </div>
              <div class="field">
                <label [for]="'wp-d-' + i">完成时限</label>
                <input
                  [id]="'wp-d-' + i"
                  nz-input
                  type="date"
                  [name]="'deadline' + i"
                  [(ngModel)]="item.deadline"
                />
                @if (errors()['items.' + i + '.deadline']; as e) {
                  <div class="error">{{ e }}</div>
                }
              </div>
              <div class="field">
                <label [for]="'wp-c-' + i">进展报送</label>
                <nz-select
                  [nzId]="'wp-c-' + i"
                  [name]="'cadence' + i"
                  [(ngModel)]="item.cadence"
                  class="select"
                >
                  @for (c of cadences; track c.value) {
                    <nz-option [nzValue]="c.value" [nzLabel]="c.label" />
                  }
                </nz-select>
              </div>
            </div>
          </nz-card>
        }
        @if (errors()['items']; as e) {
          <div class="error" role="alert">{{ e }}</div>
        }
        <div class="actions">
          <button nz-button type="button" (click)="addItem()">
            <nz-icon nzType="plus" />添加要点
          </button>
          <span class="spacer"></span>
          <button nz-button type="submit" [nzLoading]="busy()">保存</button>
          @if (!id()) {
            <button
              nz-button
              nzType="primary"
              type="button"
              (click)="save(true)"
              [nzLoading]="busy()"
            >
              保存并提请领导小组审议
            </button>
          }
        </div>
      </form>
    </div>
  `,
  styles: `
    nz-card {
      margin-bottom: 12px;
    }
    .grid {
      display: grid;
      grid-template-columns: repeat(3, minmax(0, 1fr));
      gap: 8px 12px;
    }
    .field label {
      display: block;
      margin-bottom: 4px;
    }
    .full {
      grid-column: 1 / -1;
    }
    .wide {
      grid-column: span 2;
    }
    .select,
    nz-input-number {
      width: 100%;
    }
    .error {
      color: #cf1322;
      margin-top: 2px;
    }
    .actions {
      display: flex;
      flex-wrap: wrap;
      gap: 8px;
    }
    .spacer {
      flex: 1;
    }
    @media (max-width: 767.98px) {
      .grid {
        grid-template-columns: minmax(0, 1fr);
      }
      .wide {
        grid-column: 1 / -1;
      }
    }
  `,
})
export class WorkPlanEditorPage implements OnInit {
  private readonly api = inject(Api);
  private readonly router = inject(Router);
  private readonly message = inject(NzMessageService);
  /** Route parameter `:id` when revising; absent when drafting. */
  readonly id = input<string>();
  protected readonly cadences = CADENCES;
  protected readonly units = signal<{ id: string; name: string }[]>([]);
  protected readonly items = signal<ItemDraft[]>([]);
  protected readonly errors = signal<Record<string, string>>({});
  protected readonly busy = signal(false);
  protected year: number | null = new Date().getFullYear() + (new Date().getMonth() >= 10 ? 1 : 0);
  protected title = '';
  protected intro = '';

  ngOnInit(): void {
    void this.api
      .get<Capabilities>('/work-plans/capabilities')
      .then((c) => this.units.set(c.units))
      .catch(() => undefined);
    const id = this.id();
    if (!id) {
      this.title = `${this.year}年信息化工作要点`;
      this.items.set([emptyItem(this.year ?? new Date().getFullYear())]);
      return;
    }
    void this.api
      .get<Plan>(`/work-plans/${id}`)
      .then((plan) => {
        this.year = plan.year;
        this.title = plan.title;
        this.intro = plan.intro;
        this.items.set(
          plan.items.map((i) => ({
            title: i.title,
            measures: i.measures,
            unitId: i.unitId,
            deadline: i.deadline,
            cadence: i.cadence,
          })),
        );
      })
      .catch((error: unknown) =>
        this.message.error(error instanceof ApiError ? error.message : '工作要点加载失败'),
      );
  }

  addItem(): void {
    this.items.update((list) => [...list, emptyItem(this.year ?? new Date().getFullYear())]);
  }

  removeItem(index: number): void {
    this.items.update((list) => list.filter((_, i) => i !== index));
  }

  async save(andSubmit: boolean): Promise<void> {
    const errors = validatePlan({ year: this.year, title: this.title, items: this.items() });
    this.errors.set(errors);
    if (Object.keys(errors).length > 0) return;
    const body = {
      title: this.title.trim(),
      intro: this.intro.trim(),
      items: this.items().map((i) => ({
        ...i,
        title: i.title.trim(),
        measures: i.measures.trim(),
      })),
    };
    this.busy.set(true);
    try {
      let id = this.id();
      if (id) await this.api.put(`/work-plans/${id}`, body);
      else
        id = (await this.api.post<{ id: string }>('/work-plans', { ...body, year: this.year })).id;
      if (andSubmit) await this.api.post(`/work-plans/${id}/submit`);
      this.message.success(andSubmit ? '已提请领导小组审议' : '已保存');
      await this.router.navigate(['/work-plans', id]);
    } catch (error) {
      if (error instanceof ApiError) {
        this.message.error(error.message);
        const fields: Record<string, string> = {};
        for (const d of error.details ?? []) fields[d.field] = d.message;
        this.errors.set(fields);
      } else this.message.error('保存失败，请重试');
    } finally {
      this.busy.set(false);
    }
  }
}
