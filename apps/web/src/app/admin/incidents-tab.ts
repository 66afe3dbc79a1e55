import { DatePipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, OnInit, inject, signal } from '@angular/core';
import { NzButtonModule } from 'ng-zorro-antd/button';
import { NzMessageService } from 'ng-zorro-antd/message';
import { NzTableModule } from 'ng-zorro-antd/table';
import { Api } from '../core/api';
import { errorText } from './error-message';

interface Incident {
  id: string;
  processInstanceId: string;
  externalTaskId: string | null;
  activityId: string;
  incidentType: string;
  incidentMessage: string;
  incidentTimestamp: string;
  processDefinitionKey: string;
}

/** 异常事件: external tasks out of retries; 重试 gives them three more. */
@Component({
  selector: 'zw-incidents-tab',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [DatePipe, NzTableModule, NzButtonModule],
  template: `
    <div class="toolbar">
      <button nz-button type="button" (click)="load()">刷新</button>
    </div>
    <nz-table
      #t
      [nzData]="items()"
      [nzLoading]="loading()"
      nzSize="small"
      [nzScroll]="{ x: '1100px' }"
      nzNoResult="暂无异常事件"
    >
      <thead>
        <tr>
          <th nzWidth="150px">时间</th>
          <th nzWidth="170px">流程</th>
          <th nzWidth="150px">环节</th>
          <th>错误信息</th>
          <th nzWidth="290px">流程实例</th>
          <th nzWidth="90px">操作</th>
        </tr>
      </thead>
      <tbody>
        @for (i of t.data; track i.id) {
          <tr>
            <td>{{ i.incidentTimestamp | date: 'yyyy-MM-dd HH:mm' }}</td>
            <td>{{ i.processDefinitionKey }}</td>
            <td>{{ i.activityId }}</td>
            <td class="msg">{{ i.incidentMessage }}</td>
            <td class="mono">{{ i.processInstanceId }}</td>
            <td>
              @if (i.externalTaskId) {
                <button
                  nz-button
                  nzType="link"
                  type="button"
                  [nzLoading]="busy() === i.id"
                  (click)="retry(i)"
                >
                  重试
                </button>
              }
            </td>
          </tr>
        }
      </tbody>
    </nz-table>
  `,
  styles: `
    .mono {
      font-family: monospace;
      font-size: 12px;
    }
    .msg {
      word-break: break-all;
    }
  `,
})
export class IncidentsTab implements OnInit {
  private readonly api = inject(Api);
  private readonly message = inject(NzMessageService);
  protected readonly items = signal<Incident[]>([]);
  protected readonly loading = signal(false);
  protected readonly busy = signal<string | null>(null);

  ngOnInit(): void {
    void this.load();
  }

  async load(): Promise<void> {
    this.loading.set(true);
    try {
      this.items.set(await this.api.get<Incident[]>('/incidents'));
    } catch (error) {
      this.message.error(errorText(error, '异常事件加载失败，请点击“刷新”重试'));
    } finally {
      this.loading.set(false);
    }
  }

  async retry(incident: Incident): Promise<void> {
    this.busy.set(incident.id);
    try {
      await this.api.put(`/external-tasks/${incident.externalTaskId}/retries`, { retries: 3 });
      this.message.success('已重新安排执行（3 次重试）');
      await this.load();
    } catch (error) {
      this.message.error(errorText(error, '重试失败，请稍后再试'));
    } finally {
      this.busy.set(null);
    }
  }
}
