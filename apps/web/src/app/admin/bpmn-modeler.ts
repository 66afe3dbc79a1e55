import {
  ChangeDetectionStrategy,
  Component,
  ElementRef,
  OnDestroy,
  ViewEncapsulation,
  effect,
  input,
  signal,
  viewChild,
} from '@angular/core';
import { NzAlertModule } from 'ng-zorro-antd/alert';

interface Modeler {
  importXML(xml: string): Promise<unknown>;
  saveXML(options: { format: boolean }): Promise<{ xml?: string }>;
  get(name: 'canvas'): { zoom(level: string): void };
  destroy(): void;
}

/** The bpmn-js Modeler, loaded lazily; the parent reads the edited XML with save(). */
@Component({
  selector: 'zw-bpmn-modeler',
  changeDetection: ChangeDetectionStrategy.OnPush,
  encapsulation: ViewEncapsulation.None,
  styleUrl: './bpmn.css',
  imports: [NzAlertModule],
  template: `
    @if (error()) {
      <nz-alert nzType="error" [nzMessage]="error()!" nzShowIcon />
    }
    <div #canvas class="zw-bpmn-canvas zw-bpmn-modeler" aria-label="流程图编辑区"></div>
  `,
  styles: `
    .zw-bpmn-modeler {
      height: 520px;
    }
  `,
})
export class BpmnModeler implements OnDestroy {
  readonly xml = input.required<string>();
  private readonly canvas = viewChild.required<ElementRef<HTMLElement>>('canvas');
  protected readonly error = signal<string | null>(null);
  private modeler?: Modeler;

  constructor() {
    effect(() => void this.open(this.xml()));
  }

  ngOnDestroy(): void {
    this.modeler?.destroy();
  }

  /** The diagram as edited, formatted. */
  async save(): Promise<string> {
    if (!this.modeler) throw new Error('流程图尚未加载完成，请稍候再试');
    const { xml } = await this.modeler.saveXML({ format: true });
    if (!xml) throw new Error('未能导出流程图，请重试');
    return xml;
  }

  private async open(xml: string): Promise<void> {
    try {
      if (!this.modeler) {
        const { default: Modeler } = await import('bpmn-js/lib/Modeler');
        this.modeler = new Modeler({
          container: this.canvas().nativeElement,
        }) as unknown as Modeler;
      }
      await this.modeler.importXML(xml);
      this.modeler.get('canvas').zoom('fit-viewport');
      this.error.set(null);
    } catch (error) {
      this.error.set(`流程图无法打开：${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
