import { Component, inject, input, output, signal, type OnInit } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { NzButtonModule } from 'ng-zorro-antd/button';
import { NzIconModule } from 'ng-zorro-antd/icon';
import { NzInputModule } from 'ng-zorro-antd/input';
import { NzInputNumberModule } from 'ng-zorro-antd/input-number';
import { NzMessageService } from 'ng-zorro-antd/message';
import { NzSelectModule } from 'ng-zorro-antd/select';
import { Api, ApiError } from '../core/api';
import { FORMATS, LEVELS, parseRegions, type CollectionList } from './data-collection.model';

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

/** 信息中心's editor of a 汇交清单: a new list (sent to 信息办 at once), or a returned one corrected and resent. */
@Component({
  selector: 'zw-list-editor',
  imports: [
    FormsModule,
    NzButtonModule,
    NzIconModule,
    NzInputModule,
    NzInputNumberModule,
    NzSelectModule,
  ],
  template: `
    <form class="editor" (ngSubmit)="save()" data-testid="list-editor">
      <h3>{{ initial() ? '修改汇交清单' : '起草汇交清单（信息中心）' }}</h3>
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
              >编码<input nz-input [name]="'code' + i" [(ngModel)]="it.code" placeholder="HJ-TDLY"
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
              <button nz-button nzDanger type="button" (click)="items.splice(i, 1)">删除</button>
            }
          </div>
        </fieldset>
      }
      <div class="actions">
        <button nz-button type="button" (click)="items.push(blank())">
          <nz-icon nzType="plus" />增加一项
        </button>
        <button nz-button nzType="primary" type="submit" [nzLoading]="saving()">
          {{ initial() ? '修改后重新提交' : '提交信息办审批' }}
        </button>
      </div>
      @if (error()) {
        <p class="error" role="alert">{{ error() }}</p>
      }
    </form>
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
export class ListEditor implements OnInit {
  private readonly api = inject(Api);
  private readonly message = inject(NzMessageService);
  /** The returned list to correct; without it a new list is drafted. */
  readonly initial = input<CollectionList | null>(null);
  readonly saved = output<string>();
  protected readonly formats = FORMATS;
  protected readonly levels = LEVELS;
  protected readonly saving = signal(false);
  protected readonly error = signal('');
  protected year = new Date().getFullYear();
  protected title = `${new Date().getFullYear()}年度基础数据汇交清单`;
  protected items: ItemDraft[] = [blankItem()];
  protected readonly blank = blankItem;

  ngOnInit(): void {
    const list = this.initial();
    if (!list) return;
    this.year = list.year;
    this.title = list.title;
    this.items = list.items.map((i) => ({
      code: i.code,
      name: i.name,
      kind: i.kind,
      format: i.format,
      coordinateSystem: i.coordinateSystem,
      maxSizeMb: i.maxSizeMb,
      dueWorkingDays: i.dueWorkingDays,
      levels: [...i.levels],
      regions: i.regions.join('、'),
    }));
  }

  async save(): Promise<void> {
    this.saving.set(true);
    this.error.set('');
    const body = {
      year: this.year,
      title: this.title,
      items: this.items.map((i) => ({ ...i, regions: parseRegions(i.regions) })),
    };
    try {
      const list = this.initial();
      const saved = list
        ? await this.api.put<{ id: string }>(`/data-collection/lists/${list.id}`, body)
        : await this.api.post<{ id: string }>('/data-collection/lists', body);
      this.message.success(list ? '清单已修改并重新提交' : '清单已提交信息办审批');
      this.saved.emit(saved.id);
    } catch (error) {
      this.error.set(error instanceof ApiError ? error.message : '提交失败，请重试');
    } finally {
      this.saving.set(false);
    }
  }
}
