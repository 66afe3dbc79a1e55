import {
  ChangeDetectionStrategy,
  Component,
  ElementRef,
  OnDestroy,
  OnInit,
  ViewEncapsulation,
  inject,
  signal,
  viewChild,
} from '@angular/core';
import { ActivatedRoute, RouterLink } from '@angular/router';
import type { UnitDto, UserDto } from '@zhengwu/contracts';
import { NzAlertModule } from 'ng-zorro-antd/alert';
import { NzButtonModule } from 'ng-zorro-antd/button';
import { NzMessageService } from 'ng-zorro-antd/message';
import { NzTagModule } from 'ng-zorro-antd/tag';
import { Api, ApiError } from '../../core/api';
import { peopleWarnings } from '../admin.logic';
import { errorText } from '../error-message';
import {
  blankDiagram,
  diffDefinitions,
  findingText,
  findingsByElement,
  refusalFindings,
  snapshotDefinitions,
  type DefinitionDiff,
  type Finding,
  type ModdleLike,
} from './modeler.logic';
import { loadModelerStyles } from './modeler-styles';
import { zhTranslateModule } from './zh-translate';
import { zwPropertiesModule, type PickerData } from './zw-properties-provider';

/** The part of bpmn-js this page uses (its own typings describe the services loosely). */
interface Modeler {
  importXML(xml: string): Promise<unknown>;
  saveXML(options: { format: boolean }): Promise<{ xml?: string }>;
  getDefinitions(): ModdleLike;
  get(name: 'canvas'): {
    zoom(level: string): void;
    getRootElement(): { id: string };
    addMarker(id: string, marker: string): void;
    removeMarker(id: string, marker: string): void;
    scrollToElement(element: unknown): void;
  };
  get(name: 'elementRegistry'): { get(id: string): unknown };
  get(name: 'selection'): { select(element: unknown): void };
  get(name: 'overlays'): {
    add(
      id: string,
      type: string,
      overlay: { position: Record<string, number>; html: HTMLElement },
    ): void;
    remove(filter: { type: string }): void;
  };
  get(name: 'moddle'): { fromXML(xml: string): Promise<{ rootElement: ModdleLike }> };
  get(name: 'eventBus'): { on(event: string, callback: () => void): void };
  destroy(): void;
}

interface DefinitionXml {
  xml: string;
  version: number;
}
interface DeployAnswer {
  key: string;
  version: number;
  created: boolean;
  warnings?: { rule: string; elementId?: string; message: string }[];
}
interface ValidationReport {
  ok: boolean;
  key: string | null;
  errors: { rule: string; elementId?: string; message: string }[];
  warnings: { rule: string; elementId?: string; message: string }[];
}

const TOPICS: PickerData['topics'] = [
  { topic: 'document-render', label: '公文排版（GB/T 9704 PDF/OFD）' },
  { topic: 'archive', label: '归档' },
];
const FINDING_MARKS = ['zw-mark-error', 'zw-mark-warning'];
const DIFF_MARKS = ['zw-diff-added', 'zw-diff-changed'];
/** Quiet time after the last edit before the diagram is checked again. */
const RECHECK_MS = 1200;

/** 流程建模: bpmn-js with the Camunda 7 properties panel in Chinese, our pickers, server validation and a diff. */
@Component({
  selector: 'zw-modeler-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  encapsulation: ViewEncapsulation.None,
  styleUrl: '../bpmn.css',
  imports: [RouterLink, NzButtonModule, NzAlertModule, NzTagModule],
  template: `
    <div class="page zw-modeler-page">
      <div class="page-header">
        <h2>
          流程建模：{{ key
          }}{{ baseVersion() ? '（基于运行版本 v' + baseVersion() + '）' : '（新流程）' }}
        </h2>
        <div class="zw-modeler-actions">
          <a nz-button routerLink="/admin" [queryParams]="{ tab: 'definitions' }">返回流程定义</a>
          <button nz-button type="button" [nzLoading]="validating()" (click)="validate()">
            校验
          </button>
          <button nz-button type="button" [disabled]="!baseVersion()" (click)="compare()">
            与运行版本对比
          </button>
          <button
            nz-button
            nzType="primary"
            type="button"
            [nzLoading]="deploying()"
            (click)="deploy()"
          >
            部署新版本
          </button>
        </div>
      </div>
      @if (loadError()) {
        <nz-alert nzType="error" nzShowIcon [nzMessage]="loadError()!" />
      }
      @if (deployed()) {
        <nz-alert class="zw-modeler-note" nzType="success" nzShowIcon [nzMessage]="deployed()!" />
      }
      <div class="zw-modeler-body">
        <div #canvas class="zw-bpmn-canvas zw-modeler-canvas" aria-label="流程图编辑区"></div>
        <aside #panel class="zw-modeler-panel" aria-label="属性面板"></aside>
      </div>
      <div class="zw-modeler-lists">
        <section aria-label="校验结果">
          <h3>校验结果</h3>
          @if (findings() === null) {
            <p class="hint">
              编辑后稍停片刻会自动校验（也可点击“校验”），按部署时的规则检查流程图；有问题的元素会在画布上标出。
            </p>
          } @else if (findings()!.length === 0) {
            <p class="hint zw-valid">校验通过，可以部署。</p>
          } @else {
            <ul class="zw-findings">
              @for (f of findings(); track $index) {
                <li>
                  <nz-tag [nzColor]="f.severity === 'error' ? 'red' : 'orange'">{{
                    f.severity === 'error' ? '错误' : '提示'
                  }}</nz-tag>
                  @if (f.elementId) {
                    <button type="button" class="zw-link" (click)="select(f.elementId)">
                      {{ f.elementId }}
                    </button>
                  }
                  <span>{{ text(f) }}</span>
                </li>
              }
            </ul>
          }
        </section>
        <section aria-label="与运行版本的差异">
          <h3>与运行版本的差异</h3>
          @if (diff(); as d) {
            @if (!d.added.length && !d.removed.length && !d.changed.length) {
              <p class="hint">与运行版本相同。</p>
            }
            <ul class="zw-diff">
              @for (c of d.added; track c.id) {
                <li class="added">
                  <nz-tag nzColor="green">新增</nz-tag>
                  <button type="button" class="zw-link" (click)="select(c.id)">
                    {{ c.name || c.id }}
                  </button>
                </li>
              }
              @for (c of d.changed; track c.id) {
                <li class="changed">
                  <nz-tag nzColor="blue">修改</nz-tag>
                  <button type="button" class="zw-link" (click)="select(c.id)">
                    {{ c.name || c.id }}
                  </button>
                  <span>：{{ c.fields.join('、') }}</span>
                </li>
              }
              @for (c of d.removed; track c.id) {
                <li class="removed">
                  <nz-tag nzColor="red">删除</nz-tag><span>{{ c.name || c.id }}（{{ c.id }}）</span>
                </li>
              }
            </ul>
          } @else {
            <p class="hint">点击“与运行版本对比”，新增的元素标绿，修改的标蓝，删除的列在此处。</p>
          }
        </section>
      </div>
    </div>
  `,
  styles: `
    .zw-modeler-page .page-header {
      display: flex;
      flex-wrap: wrap;
      justify-content: space-between;
      align-items: center;
      gap: 8px;
    }
    .zw-modeler-actions {
      display: flex;
      gap: 8px;
    }
    .zw-modeler-body {
      display: flex;
      border: 1px solid #d9d9d9;
      height: 560px;
      background: #fff;
    }
    .zw-modeler-canvas {
      flex: 1;
      min-width: 0;
      height: 100%;
    }
    .zw-modeler-panel {
      width: 360px;
      border-left: 1px solid #d9d9d9;
      overflow: auto;
      height: 100%;
    }
    .zw-modeler-lists {
      display: grid;
      grid-template-columns: 1fr 1fr;
      gap: 16px;
      margin-top: 12px;
    }
    .zw-modeler-lists h3 {
      font-size: 15px;
      margin: 0 0 6px;
    }
    .zw-findings,
    .zw-diff {
      list-style: none;
      padding: 0;
      margin: 0;
    }
    .zw-findings li,
    .zw-diff li {
      margin-bottom: 4px;
    }
    .zw-link {
      border: 0;
      background: none;
      color: #0958d9;
      cursor: pointer;
      padding: 0 4px 0 0;
      text-decoration: underline;
    }
    .zw-modeler-note {
      margin-bottom: 8px;
    }
    .hint {
      color: #595959;
    }
    .zw-mark-error .djs-visual > :first-child {
      stroke: #cf1322 !important;
      stroke-width: 3px !important;
    }
    .zw-mark-warning .djs-visual > :first-child {
      stroke: #d46b08 !important;
      stroke-dasharray: 4 2;
    }
    .zw-diff-added .djs-visual > :first-child {
      fill: #d9f7be !important;
      stroke: #389e0d !important;
    }
    .zw-diff-changed .djs-visual > :first-child {
      fill: #bae0ff !important;
      stroke: #0958d9 !important;
    }
    .zw-diff-changed.djs-connection .djs-visual > path {
      stroke: #0958d9 !important;
      stroke-width: 3px !important;
    }
    .zw-finding-badge {
      background: #cf1322;
      color: #fff;
      border-radius: 9px;
      min-width: 18px;
      padding: 0 5px;
      font-size: 12px;
      line-height: 18px;
      text-align: center;
    }
    .zw-finding-badge.warning {
      background: #d46b08;
    }
    @media (max-width: 900px) {
      .zw-modeler-body {
        flex-direction: column;
        height: auto;
      }
      .zw-modeler-canvas {
        height: 420px;
      }
      .zw-modeler-panel {
        width: auto;
        border-left: 0;
        border-top: 1px solid #d9d9d9;
      }
      .zw-modeler-lists {
        grid-template-columns: 1fr;
      }
    }
  `,
})
export class ModelerPage implements OnInit, OnDestroy {
  private readonly api = inject(Api);
  private readonly route = inject(ActivatedRoute);
  private readonly message = inject(NzMessageService);
  private readonly canvas = viewChild.required<ElementRef<HTMLElement>>('canvas');
  private readonly panel = viewChild.required<ElementRef<HTMLElement>>('panel');
  protected readonly key = this.route.snapshot.paramMap.get('key') ?? '';
  protected readonly baseVersion = signal<number | null>(null);
  protected readonly loadError = signal<string | null>(null);
  protected readonly findings = signal<Finding[] | null>(null);
  protected readonly diff = signal<DefinitionDiff | null>(null);
  protected readonly validating = signal(false);
  protected readonly deploying = signal(false);
  protected readonly deployed = signal<string | null>(null);
  private baseXml: string | null = null;
  private modeler?: Modeler;
  private recheck?: ReturnType<typeof setTimeout>;
  private validateRun = 0;

  async ngOnInit(): Promise<void> {
    try {
      const isNew = this.route.snapshot.queryParamMap.get('new') === '1';
      const [xml, data] = await Promise.all([
        isNew ? this.blank() : this.loadBase(),
        this.pickerData(),
      ]);
      await this.open(xml, data);
    } catch (error) {
      this.loadError.set(errorText(error, '流程图加载失败，请稍后重试'));
    }
  }

  ngOnDestroy(): void {
    if (this.recheck) clearTimeout(this.recheck);
    this.validateRun++;
    this.modeler?.destroy();
  }

  protected readonly text = findingText;

  /** Selects an element named by a finding or the diff, and scrolls it into view. */
  select(id: string): void {
    const element = this.modeler?.get('elementRegistry').get(id);
    if (!element || !this.modeler) return;
    this.modeler.get('selection').select(element);
    this.modeler.get('canvas').scrollToElement(element);
  }

  async validate(): Promise<void> {
    if (!this.modeler) return;
    // Checks overlap when edits come fast: only the newest one's answer is shown.
    const run = ++this.validateRun;
    this.validating.set(true);
    try {
      const report = await this.api.postText<ValidationReport>(
        '/process-definitions/validate',
        await this.xml(),
        'application/xml',
      );
      if (run !== this.validateRun) return;
      this.showFindings([
        ...report.errors.map((f) => ({ ...f, severity: 'error' as const })),
        ...report.warnings.map((f) => ({ ...f, severity: 'warning' as const })),
      ]);
    } catch (error) {
      if (run !== this.validateRun) return;
      this.showFindings([
        { rule: 'validate', message: errorText(error, '校验失败，请稍后重试'), severity: 'error' },
      ]);
    } finally {
      if (run === this.validateRun) this.validating.set(false);
    }
  }

  async compare(): Promise<void> {
    if (!this.modeler || !this.baseXml) return;
    const { rootElement } = await this.modeler.get('moddle').fromXML(this.baseXml);
    const diff = diffDefinitions(
      snapshotDefinitions(rootElement),
      snapshotDefinitions(this.modeler.getDefinitions()),
    );
    this.clearMarks(DIFF_MARKS);
    const canvas = this.modeler.get('canvas');
    const registry = this.modeler.get('elementRegistry');
    for (const c of diff.added) if (registry.get(c.id)) canvas.addMarker(c.id, 'zw-diff-added');
    for (const c of diff.changed) if (registry.get(c.id)) canvas.addMarker(c.id, 'zw-diff-changed');
    this.diff.set(diff);
  }

  async deploy(): Promise<void> {
    if (!this.modeler) return;
    this.deploying.set(true);
    this.deployed.set(null);
    try {
      const xml = await this.xml();
      const res = await this.api.postText<DeployAnswer>(
        '/process-definitions',
        xml,
        'application/xml',
      );
      this.deployed.set(
        res.created
          ? `已部署 ${res.key} v${res.version}，新发起的案件使用此版本`
          : '流程图没有变化，未产生新版本',
      );
      this.showFindings((res.warnings ?? []).map((f) => ({ ...f, severity: 'warning' as const })));
      // Steps naming people the platform lacks will reach nobody: say so before anyone wonders.
      const people = peopleWarnings(res.warnings);
      if (people.length) this.message.warning(people.join('；'), { nzDuration: 15000 });
      // The deployed version is now the running one: later diffs compare against it.
      this.baseXml = xml;
      this.baseVersion.set(res.version);
      this.clearMarks(DIFF_MARKS);
      this.diff.set(null);
    } catch (error) {
      if (error instanceof ApiError)
        this.showFindings(refusalFindings(error.message, error.details as unknown));
      else
        this.showFindings([
          { rule: 'deploy', message: errorText(error, '部署失败，请稍后重试'), severity: 'error' },
        ]);
    } finally {
      this.deploying.set(false);
    }
  }

  private async xml(): Promise<string> {
    if (!this.modeler) throw new Error('流程图尚未加载完成，请稍候再试');
    const { xml } = await this.modeler.saveXML({ format: true });
    if (!xml) throw new Error('未能导出流程图，请重试');
    return xml;
  }

  private async loadBase(): Promise<string> {
    const res = await this.api.get<DefinitionXml>(
      `/process-definitions/${encodeURIComponent(this.key)}/xml`,
    );
    this.baseXml = res.xml;
    this.baseVersion.set(res.version);
    return res.xml;
  }

  private async blank(): Promise<string> {
    return blankDiagram(this.key, this.route.snapshot.queryParamMap.get('name') || this.key);
  }

  private async pickerData(): Promise<PickerData> {
    const [users, units] = await Promise.all([
      this.api.get<{ items: UserDto[] }>('/org/users', { limit: 500 }),
      this.api.get<(UnitDto & { children?: UnitDto[] })[]>('/org/units'),
    ]);
    const flat: { code: string; name: string }[] = [];
    const walk = (nodes: (UnitDto & { children?: UnitDto[] })[]) => {
      for (const n of nodes) {
        flat.push({ code: n.code, name: n.name });
        walk((n.children ?? []) as (UnitDto & { children?: UnitDto[] })[]);
      }
    };
    walk(units);
    return {
      users: users.items
        .filter((u) => u.isActive)
        .map((u) => ({
          username: u.username,
          displayName: u.displayName,
          unitName: u.unitName ?? '',
        })),
      units: flat,
      topics: TOPICS,
    };
  }

  private async open(xml: string, data: PickerData): Promise<void> {
    const [{ default: BpmnModeler }, panel, { default: behaviors }, { default: camunda }] =
      await Promise.all([
        import('bpmn-js/lib/Modeler'),
        import('bpmn-js-properties-panel'),
        import('camunda-bpmn-js-behaviors/lib/camunda-platform'),
        import('camunda-bpmn-moddle/resources/camunda.json'),
      ]);
    loadModelerStyles();
    const options = {
      container: this.canvas().nativeElement,
      propertiesPanel: {
        parent: this.panel().nativeElement,
        // What the engine reads first: our pickers, the condition of a flow, the timer of an event.
        layout: {
          groups: Object.fromEntries(
            ['general', 'zw', 'CamundaPlatform__Condition', 'timer'].map((id) => [
              id,
              { open: true },
            ]),
          ),
        },
      },
      additionalModules: [
        panel.BpmnPropertiesPanelModule,
        panel.BpmnPropertiesProviderModule,
        panel.CamundaPlatformPropertiesProviderModule,
        behaviors,
        zhTranslateModule,
        zwPropertiesModule,
      ],
      moddleExtensions: { camunda },
      zw: data,
    };
    this.modeler = new BpmnModeler(
      options as ConstructorParameters<typeof BpmnModeler>[0],
    ) as unknown as Modeler;
    await this.modeler.importXML(xml);
    this.modeler.get('canvas').zoom('fit-viewport');
    // An edit makes the last check and diff stale: check again once the administrator pauses, and redraw
    // a diff that is shown, so the marks always describe the diagram on the canvas.
    this.modeler.get('eventBus').on('commandStack.changed', () => {
      this.deployed.set(null);
      if (this.recheck) clearTimeout(this.recheck);
      this.recheck = setTimeout(() => {
        this.recheck = undefined;
        void this.validate();
        if (this.diff()) void this.compare();
      }, RECHECK_MS);
    });
  }

  private showFindings(findings: Finding[]): void {
    this.findings.set(findings);
    if (!this.modeler) return;
    this.clearMarks(FINDING_MARKS);
    const overlays = this.modeler.get('overlays');
    overlays.remove({ type: 'zw-finding' });
    const registry = this.modeler.get('elementRegistry');
    const canvas = this.modeler.get('canvas');
    // The process itself is the canvas's root: marking it would colour every element; the list names it.
    const root = canvas.getRootElement().id;
    for (const [id, severity] of findingsByElement(findings)) {
      if (!registry.get(id) || id === root) continue;
      canvas.addMarker(id, severity === 'error' ? 'zw-mark-error' : 'zw-mark-warning');
      const badge = document.createElement('div');
      badge.className = `zw-finding-badge ${severity}`;
      badge.textContent = String(findings.filter((f) => f.elementId === id).length);
      badge.title = findings
        .filter((f) => f.elementId === id)
        .map((f) => findingText(f))
        .join('\n');
      overlays.add(id, 'zw-finding', { position: { top: -9, right: 9 }, html: badge });
    }
  }

  private clearMarks(marks: string[]): void {
    if (!this.modeler) return;
    const canvas = this.modeler.get('canvas');
    const registry = this.modeler.get('elementRegistry') as unknown as {
      getAll(): { id: string }[];
    };
    for (const element of registry.getAll())
      for (const mark of marks) canvas.removeMarker(element.id, mark);
  }
}
