import { DatePipe } from '@angular/common';
import {
  ChangeDetectionStrategy,
  Component,
  OnInit,
  inject,
  signal,
  viewChild,
} from '@angular/core';
import { NzAlertModule } from 'ng-zorro-antd/alert';
import { NzBadgeModule } from 'ng-zorro-antd/badge';
import { NzButtonModule } from 'ng-zorro-antd/button';
import { NzMessageService } from 'ng-zorro-antd/message';
import { NzModalModule } from 'ng-zorro-antd/modal';
import { NzTableModule } from 'ng-zorro-antd/table';
import { NzTagModule } from 'ng-zorro-antd/tag';
import { Api, ApiError } from '../core/api';
import {
  deployErrorText,
  peopleWarnings,
  groupDefinitions,
  type DefinitionGroup,
  type DefinitionRow,
} from './admin.logic';
import { BpmnModeler } from './bpmn-modeler';
import { BpmnViewer } from './bpmn-viewer';
import { errorText } from './error-message';

const SOURCE_LABELS: Record<string, string> = { file: '随系统部署', upload: '管理员上传' };

/** 流程定义: versions with their running cases, the diagram of each, and a new version via the modeler. */
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
    NzAlertModule,
    BpmnViewer,
    BpmnModeler,
  ],
  template: `
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
              <button nz-button nzType="link" type="button" (click)="edit(g.key)">
                上传新版本
              </button>
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
      [nzVisible]="!!editing()"
      [nzTitle]="
        editing() ? '上传新版本：' + editing()!.key + '（基于 v' + editing()!.version + '）' : ''
      "
      [nzWidth]="'95%'"
      (nzOnCancel)="closeEditor()"
      [nzFooter]="editorFooter"
    >
      <ng-container *nzModalContent>
        @if (deployErrors().length) {
          <nz-alert
            nzType="error"
            nzShowIcon
            [nzMessage]="'部署未通过'"
            [nzDescription]="errorList"
            class="deploy-errors"
          />
          <ng-template #errorList>
            <ul>
              @for (line of deployErrors(); track $index) {
                <li>{{ line }}</li>
              }
            </ul>
          </ng-template>
        }
        @if (editing(); as e) {
          <zw-bpmn-modeler [xml]="e.xml" />
        }
        <p class="hint">
          在画布上修改后点击“部署新版本”；已在运行的案件继续使用原版本，新案件使用新版本。
        </p>
      </ng-container>
    </nz-modal>
    <ng-template #editorFooter>
      <button nz-button type="button" (click)="closeEditor()">取消</button>
      <button nz-button nzType="primary" type="button" [nzLoading]="deploying()" (click)="deploy()">
        部署新版本
      </button>
    </ng-template>
  `,
  styles: `
    .mono {
      font-family: monospace;
    }
    .versions {
      width: 100%;
    }
    .deploy-errors {
      margin-bottom: 8px;
    }
    .deploy-errors ul {
      margin: 0;
      padding-left: 18px;
    }
    .hint {
      color: #595959;
      margin: 8px 0 0;
    }
  `,
})
export class DefinitionsTab implements OnInit {
  private readonly api = inject(Api);
  private readonly message = inject(NzMessageService);
  private readonly modeler = viewChild(BpmnModeler);
  protected readonly groups = signal<DefinitionGroup[]>([]);
  protected readonly loading = signal(false);
  protected readonly expanded = signal(new Set<string>());
  protected readonly viewing = signal<{ key: string; version: number; xml: string } | null>(null);
  protected readonly editing = signal<{ key: string; version: number; xml: string } | null>(null);
  protected readonly deploying = signal(false);
  protected readonly deployErrors = signal<string[]>([]);

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

  async edit(key: string): Promise<void> {
    try {
      const res = await this.api.get<{ xml: string; version: number }>(
        `/process-definitions/${encodeURIComponent(key)}/xml`,
      );
      this.deployErrors.set([]);
      this.editing.set({ key, version: res.version, xml: res.xml });
    } catch (error) {
      this.message.error(errorText(error, '流程图加载失败，请稍后重试'));
    }
  }

  closeEditor(): void {
    this.editing.set(null);
    this.deployErrors.set([]);
  }

  async deploy(): Promise<void> {
    const modeler = this.modeler();
    if (!modeler) return;
    this.deploying.set(true);
    this.deployErrors.set([]);
    try {
      const xml = await modeler.save();
      const res = await this.api.postText<{
        key: string;
        version: number;
        created: boolean;
        warnings?: { rule: string; message: string }[];
      }>('/process-definitions', xml, 'application/xml');
      this.message.success(
        res.created ? `已部署 ${res.key} v${res.version}` : '流程图没有变化，未产生新版本',
      );
      // Steps naming people the platform lacks will reach nobody: say so before anyone wonders.
      const people = peopleWarnings(res.warnings);
      if (people.length) this.message.warning(people.join('；'), { nzDuration: 15000 });
      this.closeEditor();
      await this.load();
    } catch (error) {
      if (error instanceof ApiError)
        this.deployErrors.set(deployErrorText({ message: error.message, details: error.details }));
      else
        this.deployErrors.set([
          error instanceof Error ? error.message : '部署失败，请检查流程图后重试',
        ]);
    } finally {
      this.deploying.set(false);
    }
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
