import {
  Component,
  ElementRef,
  OnDestroy,
  ViewEncapsulation,
  effect,
  inject,
  input,
  signal,
  viewChild,
} from '@angular/core';
import { NzAlertModule } from 'ng-zorro-antd/alert';
import { NzButtonModule } from 'ng-zorro-antd/button';
import { NzSpinModule } from 'ng-zorro-antd/spin';
import { Api, ApiError } from '../core/api';
import { diagramMarks, type DiagramData } from './diagram.logic';

interface Canvas {
  addMarker(id: string, marker: string): void;
  zoom(level: 'fit-viewport' | number, center?: 'auto'): number;
}
interface Overlays {
  add(
    id: string,
    overlay: {
      position: { bottom?: number; left?: number; top?: number; right?: number };
      html: HTMLElement;
    },
  ): string;
}
interface Viewer {
  importXML(xml: string): Promise<{ warnings: unknown[] }>;
  get<T>(name: string): T;
  destroy(): void;
}

/**
 * The case's diagram (bpmn-js NavigatedViewer, loaded only here): completed steps green, current steps blue with
 * who holds them, armed timers and messages dotted blue with what they wait for (a due time), steps the case passed
 * over grey and dashed. Drag to move, wheel to zoom.
 */
@Component({
  selector: 'zw-process-diagram',
  imports: [NzAlertModule, NzButtonModule, NzSpinModule],
  // The viewer draws its own DOM, which Angular's emulated encapsulation cannot reach.
  encapsulation: ViewEncapsulation.None,
  template: `
    <div class="zw-diagram-legend" data-testid="diagram-legend">
      <span data-testid="diagram-legend-done"
        ><span class="zw-swatch zw-swatch-done" aria-hidden="true"></span>已完成</span
      >
      <span data-testid="diagram-legend-active"
        ><span class="zw-swatch zw-swatch-active" aria-hidden="true"></span>当前</span
      >
      <span data-testid="diagram-legend-waiting"
        ><span class="zw-swatch zw-swatch-waiting" aria-hidden="true"></span>等待（定时/消息）</span
      >
      <span data-testid="diagram-legend-skipped"
        ><span class="zw-swatch zw-swatch-skipped" aria-hidden="true"></span>未经过</span
      >
      <button nz-button nzSize="small" type="button" (click)="fit()" [disabled]="!ready()">
        适应窗口
      </button>
    </div>
    @if (error()) {
      <nz-alert nzType="warning" nzShowIcon [nzMessage]="error()!" />
    }
    <nz-spin [nzSpinning]="loading()">
      <div #canvas class="zw-diagram" role="figure" [attr.aria-label]="summary()"></div>
    </nz-spin>
  `,
  styles: `
    .zw-diagram {
      height: min(420px, 60vh);
      border: 1px solid #f0f0f0;
      position: relative;
      overflow: hidden;
    }
    .zw-diagram-legend {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: 8px;
      margin-bottom: 8px;
      color: #555;
    }
    .zw-swatch {
      display: inline-block;
      width: 14px;
      height: 14px;
      border-radius: 3px;
      border: 2px solid;
    }
    .zw-swatch-done {
      border-color: #52c41a;
      background: #f6ffed;
    }
    .zw-swatch-active {
      border-color: #0958d9;
      background: #e6f4ff;
    }
    .zw-swatch-waiting {
      border-color: #0958d9;
      border-style: dotted;
      background: #fff;
    }
    .zw-swatch-skipped {
      border-color: #8c8c8c;
      border-style: dashed;
      background: #fafafa;
    }
    .zw-diagram-legend > span {
      display: inline-flex;
      align-items: center;
      gap: 4px;
      margin-right: 8px;
    }
    .zw-diagram .zw-done:not(.djs-connection) .djs-visual > :nth-child(1) {
      stroke: #52c41a !important;
      fill: #f6ffed !important;
    }
    .zw-diagram .zw-active:not(.djs-connection) .djs-visual > :nth-child(1) {
      stroke: #0958d9 !important;
      stroke-width: 3px !important;
      fill: #e6f4ff !important;
    }
    /* Armed, not running (a boundary timer on the current step): dotted blue. */
    .zw-diagram .zw-waiting:not(.djs-connection) .djs-visual > :nth-child(1) {
      stroke: #0958d9 !important;
      stroke-width: 2px !important;
      stroke-dasharray: 2 2 !important;
      fill: #fff !important;
    }
    /* Passed over: dashed grey outline, shape and label faded (grey on white keeps AA contrast for the text). */
    .zw-diagram .zw-skipped:not(.djs-connection) .djs-visual > :nth-child(1) {
      stroke: #8c8c8c !important;
      stroke-dasharray: 5 3 !important;
      fill: #fafafa !important;
    }
    .zw-diagram .zw-skipped:not(.djs-connection) .djs-visual {
      opacity: 0.75;
    }
    .zw-holder {
      white-space: nowrap;
      background: #0958d9;
      color: #fff;
      font-size: 12px;
      padding: 1px 6px;
      border-radius: 4px;
      transform: translateY(6px);
    }
    .zw-wait {
      white-space: nowrap;
      background: #fff;
      color: #0958d9;
      border: 1px solid #0958d9;
      font-size: 12px;
      padding: 0 6px;
      border-radius: 4px;
      transform: translateY(-100%);
    }
    /* What the viewer needs of diagram-js.css when that sheet is not loaded. */
    .zw-diagram .djs-container {
      position: relative;
    }
    .zw-diagram .djs-overlay-container {
      position: absolute;
      width: 0;
      height: 0;
    }
    .zw-diagram .djs-overlay {
      position: absolute;
    }
  `,
})
export class ProcessDiagram implements OnDestroy {
  private readonly api = inject(Api);
  readonly taskId = input.required<string>();
  private readonly canvasRef = viewChild.required<ElementRef<HTMLElement>>('canvas');
  protected readonly loading = signal(false);
  protected readonly ready = signal(false);
  protected readonly error = signal<string | null>(null);
  protected readonly summary = signal('流程图');
  private viewer: Viewer | null = null;

  constructor() {
    effect(() => {
      const id = this.taskId();
      void this.load(id);
    });
  }

  ngOnDestroy(): void {
    this.viewer?.destroy();
    this.viewer = null;
  }

  protected fit(): void {
    this.viewer?.get<Canvas>('canvas').zoom('fit-viewport', 'auto');
  }

  private async load(taskId: string): Promise<void> {
    this.loading.set(true);
    this.error.set(null);
    this.ready.set(false);
    try {
      const [data, viewerModule] = await Promise.all([
        this.api.get<DiagramData>(`/tasks/${taskId}/diagram`),
        import('bpmn-js/lib/NavigatedViewer'),
        // The viewer's own styles, in this chunk only.
        import('./bpmn-styles').then((m) => m.loadBpmnStyles()),
      ]);
      this.viewer?.destroy();
      const NavigatedViewer = viewerModule.default as unknown as new (options: {
        container: HTMLElement;
      }) => Viewer;
      const viewer = new NavigatedViewer({ container: this.canvasRef().nativeElement });
      this.viewer = viewer;
      await viewer.importXML(data.xml);
      const canvas = viewer.get<Canvas>('canvas');
      const overlays = viewer.get<Overlays>('overlays');
      const marks = diagramMarks(data);
      for (const id of marks.completed) this.safely(() => canvas.addMarker(id, 'zw-done'));
      for (const id of marks.active) this.safely(() => canvas.addMarker(id, 'zw-active'));
      for (const id of marks.waiting) this.safely(() => canvas.addMarker(id, 'zw-waiting'));
      for (const id of marks.skipped) this.safely(() => canvas.addMarker(id, 'zw-skipped'));
      for (const [id, names] of Object.entries(marks.holders)) {
        const html = document.createElement('div');
        html.className = 'zw-holder';
        html.textContent = names.join('、');
        this.safely(() => overlays.add(id, { position: { bottom: 0, left: 0 }, html }));
      }
      // What a timer, message or signal waits for, above the element (the holders go below).
      for (const [id, text] of Object.entries(marks.waitLabels)) {
        const html = document.createElement('div');
        html.className = 'zw-wait';
        html.dataset['testid'] = 'diagram-wait';
        html.dataset['elementId'] = id;
        html.textContent = text;
        this.safely(() => overlays.add(id, { position: { top: 0, left: 0 }, html }));
      }
      canvas.zoom('fit-viewport', 'auto');
      this.summary.set(marks.description);
      this.ready.set(true);
    } catch (error) {
      this.error.set(
        error instanceof ApiError
          ? error.message
          : '流程图无法显示，请刷新页面重试；办理不受影响，可在下方办理过程中查看各环节',
      );
    } finally {
      this.loading.set(false);
    }
  }

  /** An activity of an older version may be missing from the drawing; skip it rather than lose the diagram. */
  private safely(fn: () => unknown): void {
    try {
      fn();
    } catch {
      // not drawn in this version
    }
  }
}
