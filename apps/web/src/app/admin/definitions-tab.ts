import { DatePipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, OnInit, inject, signal } from '@angular/core';
import { NzBadgeModule } from 'ng-zorro-antd/badge';
import { NzButtonModule } from 'ng-zorro-antd/button';
import { NzMessageService } from 'ng-zorro-antd/message';
import { NzModalModule } from 'ng-zorro-antd/modal';
import { NzTableModule } from 'ng-zorro-antd/table';
import { NzTagModule } from 'ng-zorro-antd/tag';
import { Router, RouterLink } from '@angular/router';
import { NzInputModule } from 'ng-zorro-antd/input';
import { Api } from '../core/api';
import { groupDefinitions, type DefinitionGroup, type DefinitionRow } from './admin.logic';
import { isProcessKey } from './modeler/modeler.logic';
import { BpmnViewer } from './bpmn-viewer';
import { errorText } from './error-message';

const SOURCE_LABELS: Record<string, string> = { file: '随系统部署', upload: '管理员上传' };

/** 流程定义: versions with their running cases, the diagram of each; new versions and new processes via 流程建模. */
@Component({
  selector: 'zw-definitions-tab',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [
    DatePipe,
    NzTableModule,
    NzButtonModule,
    NzTagModule,
    NzBadgeModule,
    NzModalModule,
    NzInputModule,
    RouterLink,
    BpmnViewer,
  ],
  template: `
    <div class="toolbar">
      <button nz-button type="button" (click)="creating.set(true)">新建流程</button>
    </div>
    <nz-table
      #t
      [nzData]="groups()"
      [nzLoading]="loading()"
      nzSize="small"
      [nzShowPagination]="false"
      [nzScroll]="{ x: '900px' }"
    >
      <thead>
        <tr>
          <th nzWidth="48px" aria-label="展开"></th>
          <th nzWidth="220px">流程标识</th>
          <th>名称</th>
          <th nzWidth="100px">最新版本</th>
          <th nzWidth="110px">运行中实例</th>
          <th nzWidth="220px">操作</th>
        </tr>
      </thead>
      <tbody>
        @for (g of t.data; track g.key) {
          <tr>
            <td [nzExpand]="expanded().has(g.key)" (nzExpandChange)="toggle(g.key)"></td>
            <td class="mono">{{ g.key }}</td>
            <td>{{ g.name }}</td>
            <td>v{{ g.latest }}</td>
            <td>{{ g.running }}</td>
            <td>
              <button nz-button nzType="link" type="button" (click)="view(g.key, g.latest)">
                查看流程图
              </button>
              <a nz-button nzType="link" [routerLink]="['/admin/modeler', g.key]">
                建模并部署新版本
              </a>
            </td>
          </tr>
          <tr [nzExpand]="expanded().has(g.key)">
            <!-- A table of its own: header cells of a plain nested table were counted as the outer table's
                 columns, which shifted the outer headers by one. -->
            <nz-table
              #versions
              class="versions"
              [nzData]="g.versions"
              nzSize="small"
              [nzShowPagination]="false"
            >
              <thead>
                <tr>
                  <th>版本</th>
                  <th>部署时间</th>
                  <th>来源</th>
                  <th>运行中实例</th>
                  <th>操作</th>
                </tr>
              </thead>
              <tbody>
                @for (v of versions.data; track v.id) {
                  <tr>
                    <td>v{{ v.version }}</td>
                    <td>{{ v.deployed_at | date: 'yyyy-MM-dd HH:mm' }}</td>
                    <td>{{ sourceLabel(v) }}</td>
                    <td>
                      <nz-tag [nzColor]="v.running ? 'blue' : 'default'">{{ v.running }}</nz-tag>
                    </td>
                    <td>
                      <button
                        nz-button
                        nzType="link"
                        nzSize="small"
                        type="button"
                        (click)="view(g.key, v.version)"
                      >
                        查看流程图
                      </button>
                    </td>
                  </tr>
                }
              </tbody>
            </nz-table>
          </tr>
        }
      </tbody>
    </nz-table>

    <nz-modal
      [nzVisible]="!!viewing()"
      [nzTitle]="viewing() ? viewing()!.key + ' v' + viewing()!.version : ''"
      [nzWidth]="'90%'"
      [nzFooter]="null"
      (nzOnCancel)="viewing.set(null)"
    >
      <ng-container *nzModalContent>
        @if (viewing(); as v) {
          <zw-bpmn-viewer [xml]="v.xml" />
        }
      </ng-container>
    </nz-modal>

    <nz-modal
      [nzVisible]="creating()"
      nzTitle="新建流程"
      (nzOnCancel)="creating.set(false)"
      (nzOnOk)="create()"
      nzOkText="打开建模"
    >
      <ng-container *nzModalContent>
        <label class="field" for="new-key">流程标识（key）</label>
        <input
          nz-input
          id="new-key"
          [value]="newKey()"
          (input)="newKey.set(inputValue($event))"
          placeholder="如 leave-approval"
        />
        <label class="field" for="new-name">流程名称</label>
        <input
          nz-input
          id="new-name"
          [value]="newName()"
          (input)="newName.set(inputValue($event))"
          placeholder="如 请假审批"
        />
        @if (newError()) {
          <p class="error" role="alert">{{ newError() }}</p>
        }
      </ng-container>
    </nz-modal>
  `,
  styles: `
    .mono {
      font-family: monospace;
    }
    .versions {
      width: 100%;
    }
    .toolbar {
      margin-bottom: 8px;
    }
    .field {
      display: block;
      margin: 8px 0 4px;
    }
    .error {
      color: #cf1322;
      margin: 8px 0 0;
    }
  `,
})
export class DefinitionsTab implements OnInit {
  private readonly api = inject(Api);
  private readonly message = inject(NzMessageService);
  private readonly router = inject(Router);
  protected readonly groups = signal<DefinitionGroup[]>([]);
  protected readonly loading = signal(false);
  protected readonly expanded = signal(new Set<string>());
  protected readonly viewing = signal<{ key: string; version: number; xml: string } | null>(null);
  protected readonly creating = signal(false);
  protected readonly newKey = signal('');
  protected readonly newName = signal('');
  protected readonly newError = signal<string | null>(null);

  ngOnInit(): void {
    void this.load();
  }

  sourceLabel(v: DefinitionRow): string {
    return SOURCE_LABELS[v.source] ?? v.source;
  }

  toggle(key: string): void {
    const next = new Set(this.expanded());
    if (next.has(key)) next.delete(key);
    else next.add(key);
    this.expanded.set(next);
  }

  async view(key: string, version: number): Promise<void> {
    try {
      const res = await this.api.get<{ xml: string; version: number }>(
        `/process-definitions/${encodeURIComponent(key)}/xml`,
        { version },
      );
      this.viewing.set({ key, version: res.version, xml: res.xml });
    } catch (error) {
      this.message.error(errorText(error, '流程图加载失败，请稍后重试'));
    }
  }

  inputValue(event: Event): string {
    return (event.target as HTMLInputElement).value;
  }

  /** Opens the modeler on an empty diagram with this key, unless a process has it already. */
  create(): void {
    const key = this.newKey().trim();
    const name = this.newName().trim();
    if (!isProcessKey(key)) {
      this.newError.set(
        '流程标识须以字母开头，只含字母、数字、点、下划线或连字符，不超过 100 个字符',
      );
      return;
    }
    if (this.groups().some((g) => g.key === key)) {
      this.newError.set(`流程 ${key} 已存在，请在列表中点击“建模并部署新版本”`);
      return;
    }
    if (!name || name.length > 100) {
      this.newError.set('请填写流程名称（不超过 100 个字符）');
      return;
    }
    this.creating.set(false);
    void this.router.navigate(['/admin/modeler', key], { queryParams: { new: 1, name } });
  }

  private async load(): Promise<void> {
    this.loading.set(true);
    try {
      this.groups.set(
        groupDefinitions(await this.api.get<DefinitionRow[]>('/process-definitions')),
      );
    } catch (error) {
      this.message.error(errorText(error, '流程定义加载失败，请刷新页面重试'));
    } finally {
      this.loading.set(false);
    }
  }
}
