import { DatePipe } from '@angular/common';
import { Component, OnInit, inject, input, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { RouterLink } from '@angular/router';
import { NzButtonModule } from 'ng-zorro-antd/button';
import { NzCardModule } from 'ng-zorro-antd/card';
import { NzDescriptionsModule } from 'ng-zorro-antd/descriptions';
import { NzInputModule } from 'ng-zorro-antd/input';
import { NzMessageService } from 'ng-zorro-antd/message';
import { NzTagModule } from 'ng-zorro-antd/tag';
import { NzTimelineModule } from 'ng-zorro-antd/timeline';
import { Api, ApiError } from '../core/api';
import { Viewport } from '../core/viewport';
import { AttachmentsPanel } from '../documents/attachments-panel';
import {
  eventActor,
  eventLabel,
  supervisionStatusColor,
  type SupervisionDetail,
  type SupervisionEvent,
} from './supervision.model';

/** One 督办 item: what is supervised and where its case stands, the 督办意见, the timeline and the 办结 actions. */
@Component({
  selector: 'zw-supervision-detail-page',
  imports: [
    DatePipe,
    FormsModule,
    RouterLink,
    NzButtonModule,
    NzCardModule,
    NzDescriptionsModule,
    NzInputModule,
    NzTagModule,
    NzTimelineModule,
    AttachmentsPanel,
  ],
  template: `
    <div class="page">
      @if (item(); as s) {
        <div class="page-header">
          <h2>督办：{{ s.title }}</h2>
          <div class="toolbar">
            <nz-tag [nzColor]="color(s.status)" data-testid="supervision-status">{{
              s.status
            }}</nz-tag>
            <a nz-button routerLink="/supervision">返回台账</a>
          </div>
        </div>

        <nz-card nzTitle="督办事项" nzSize="small">
          <nz-descriptions nzBordered nzSize="small" [nzColumn]="viewport.isPhone() ? 1 : 2">
            <nz-descriptions-item nzTitle="督办对象" [nzSpan]="2">
              @if (s.targetKind === 'work-plan' && s.sourceId) {
                <a [routerLink]="['/work-plans/items', s.sourceId]">{{
                  s.title
                }}</a>（年度信息化工作要点）
              } @else if (s.document) {
                <a [routerLink]="['/documents', s.document.id]">{{ s.title }}</a>（公文，{{
                  s.document.status || '—'
                }}）
              } @else if (s.case?.steps?.length) {
                <a [routerLink]="['/tasks', s.case!.steps[0].taskId]">{{ s.title }}</a>（{{
                  s.case!.processName || '流程事项'
                }}）
              } @else {
                {{ s.title }}（{{ s.case?.processName || '流程事项' }}）
              }
            </nz-descriptions-item>
            <nz-descriptions-item nzTitle="承办单位">{{ s.unitName }}</nz-descriptions-item>
            <nz-descriptions-item nzTitle="办结期限">{{ s.deadline }}</nz-descriptions-item>
            <nz-descriptions-item nzTitle="督办人"
              >{{ s.createdByName }}（{{ s.creatorUnitName }}）</nz-descriptions-item
            >
            <nz-descriptions-item nzTitle="督办时间">{{
              s.createdAt | date: 'yyyy-MM-dd HH:mm'
            }}</nz-descriptions-item>
            <nz-descriptions-item nzTitle="督办意见" [nzSpan]="2"
              ><span class="text">{{ s.opinion }}</span></nz-descriptions-item
            >
          </nz-descriptions>
        </nz-card>

        @if (s.case) {
          <nz-card nzTitle="办理进展" nzSize="small">
            @if (s.case.steps.length === 0) {
              <p>
                流程{{
                  s.case.status === 'running' ? '正在自动处理' : '已结束'
                }}，当前没有待办环节。
              </p>
            } @else {
              <ul class="steps" data-testid="supervision-steps">
                @for (step of s.case.steps; track step.taskId) {
                  <li>
                    当前环节：<b>{{ step.name }}</b
                    >，办理人：{{ step.holders }}
                  </li>
                }
              </ul>
            }
          </nz-card>
        }

        <nz-card nzTitle="附件" nzSize="small">
          <zw-attachments-panel
            ownerKind="supervision"
            [ownerId]="s.id"
            [canUpload]="can('report')"
          />
        </nz-card>

        @if (can('report')) {
          <nz-card nzTitle="报告办结" nzSize="small">
            <label for="sv-note" class="label">办结情况</label>
            <textarea
              id="sv-note"
              nz-input
              rows="3"
              maxlength="2000"
              [(ngModel)]="note"
              placeholder="请写明办理结果"
            ></textarea>
            <div class="actions">
              <button
                nz-button
                nzType="primary"
                type="button"
                (click)="report()"
                [nzLoading]="busy()"
              >
                报告办结
              </button>
            </div>
          </nz-card>
        }
        @if (can('close')) {
          <nz-card nzTitle="确认办结" nzSize="small">
            <label for="sv-reason" class="label">退回理由（退回时填写）</label>
            <textarea
              id="sv-reason"
              nz-input
              rows="2"
              maxlength="1000"
              [(ngModel)]="reason"
            ></textarea>
            <div class="actions">
              <button nz-button type="button" (click)="sendBack()" [nzLoading]="busy()">
                退回
              </button>
              <button
                nz-button
                nzType="primary"
                type="button"
                (click)="close()"
                [nzLoading]="busy()"
              >
                确认办结
              </button>
            </div>
          </nz-card>
        }

        <nz-card nzTitle="督办记录" nzSize="small">
          <nz-timeline data-testid="supervision-timeline">
            @for (e of s.timeline; track e.id) {
              <nz-timeline-item [nzColor]="eventColor(e)">
                <b>{{ label(e) }}</b> · {{ actor(e) }} · {{ e.at | date: 'yyyy-MM-dd HH:mm' }}
                @if (e.note) {
                  <div class="text">{{ e.note }}</div>
                }
              </nz-timeline-item>
            }
          </nz-timeline>
        </nz-card>
      } @else if (failed()) {
        <div class="page-header"><h2>督办</h2></div>
        <p role="alert">{{ failed() }}</p>
        <a nz-button routerLink="/supervision">返回台账</a>
      }
    </div>
  `,
  styles: `
    nz-card {
      margin-bottom: 12px;
    }
    .text {
      white-space: pre-wrap;
      overflow-wrap: anywhere;
    }
    .steps {
      margin: 0;
      padding-left: 20px;
    }
    .label {
      display: block;
      margin-bottom: 4px;
    }
    .actions {
      display: flex;
      justify-content: flex-end;
      gap: 8px;
      margin-top: 8px;
    }
  `,
})
export class SupervisionDetailPage implements OnInit {
  private readonly api = inject(Api);
  private readonly message = inject(NzMessageService);
  protected readonly viewport = inject(Viewport);
  /** Route parameter `:id`. */
  readonly id = input.required<string>();
  protected readonly item = signal<SupervisionDetail | null>(null);
  protected readonly failed = signal<string | null>(null);
  protected readonly busy = signal(false);
  protected note = '';
  protected reason = '';

  ngOnInit(): void {
    void this.load();
  }

  async load(): Promise<void> {
    try {
      this.item.set(await this.api.get<SupervisionDetail>(`/supervision/${this.id()}`));
    } catch (error) {
      this.failed.set(
        error instanceof ApiError && error.status === 404
          ? '没有找到该督办事项，或您无权查看。请从督办台账重新打开。'
          : error instanceof ApiError
            ? error.message
            : '督办事项加载失败，请刷新页面',
      );
    }
  }

  protected can(action: 'report' | 'close' | 'return'): boolean {
    return this.item()?.allowedActions.includes(action) ?? false;
  }

  async report(): Promise<void> {
    await this.act(`/supervision/${this.id()}/report`, { note: this.note }, '已报告办结');
    this.note = '';
  }

  async close(): Promise<void> {
    await this.act(`/supervision/${this.id()}/close`, {}, '已确认办结');
  }

  async sendBack(): Promise<void> {
    await this.act(`/supervision/${this.id()}/return`, { reason: this.reason }, '已退回');
    this.reason = '';
  }

  private async act(path: string, body: object, done: string): Promise<void> {
    this.busy.set(true);
    try {
      await this.api.post(path, body);
      this.message.success(done);
    } catch (error) {
      this.message.error(error instanceof ApiError ? error.message : '操作失败，请重试');
    } finally {
      this.busy.set(false);
      await this.load();
    }
  }

  protected color(status: string): string {
    return supervisionStatusColor(status);
  }

  protected label(e: SupervisionEvent): string {
    return eventLabel(e);
  }

  protected actor(e: SupervisionEvent): string {
    return eventActor(e);
  }

  protected eventColor(e: SupervisionEvent): string {
    if (e.kind === 'escalated') return 'red';
    if (e.kind === 'reminded' || e.kind === 'returned') return 'orange';
    if (e.kind === 'closed') return 'green';
    return 'blue';
  }
}
