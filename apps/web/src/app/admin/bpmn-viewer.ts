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

interface Viewer {
  importXML(xml: string): Promise<unknown>;
  get(name: 'canvas'): { zoom(level: string): void };
  destroy(): void;
}

/** A read-only diagram (bpmn-js NavigatedViewer: drag to pan, wheel to zoom), loaded on first use. */
@Component({
  selector: 'zw-bpmn-viewer',
  changeDetection: ChangeDetectionStrategy.OnPush,
  encapsulation: ViewEncapsulation.None,
  styleUrl: './bpmn.css',
  imports: [NzAlertModule],
  template: `
    @if (error()) {
      <nz-alert nzType="error" [nzMessage]="error()!" nzShowIcon />
    }
    <div #canvas class="zw-bpmn-canvas" role="img" aria-label="流程图"></div>
  `,
})
export class BpmnViewer implements OnDestroy {
  readonly xml = input.required<string>();
  private readonly canvas = viewChild.required<ElementRef<HTMLElement>>('canvas');
  protected readonly error = signal<string | null>(null);
  private viewer?: Viewer;

  constructor() {
    effect(() => void this.show(this.xml()));
  }

  ngOnDestroy(): void {
    this.viewer?.destroy();
  }

  private async show(xml: string): Promise<void> {
    try {
      if (!this.viewer) {
        const { default: NavigatedViewer } = await import('bpmn-js/lib/NavigatedViewer');
        this.viewer = new NavigatedViewer({
          container: this.canvas().nativeElement,
        }) as unknown as Viewer;
      }
      await this.viewer.importXML(xml);
      this.viewer.get('canvas').zoom('fit-viewport');
      this.error.set(null);
    } catch (error) {
      this.error.set(`流程图无法显示：${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
