import { Component, inject, input } from '@angular/core';
import { Router } from '@angular/router';
import { NzTabsModule } from 'ng-zorro-antd/tabs';

/** The two ledgers of seed clause 十, one page each, switched like tabs. */
@Component({
  selector: 'zw-ledger-tabs',
  imports: [NzTabsModule],
  template: `
    <nz-tabs
      [nzSelectedIndex]="active() === 'projects' ? 0 : 1"
      (nzSelectedIndexChange)="go($event)"
    >
      <nz-tab nzTitle="项目台账" />
      <nz-tab nzTitle="应用系统部署台账" />
    </nz-tabs>
  `,
})
export class LedgerTabs {
  private readonly router = inject(Router);
  readonly active = input.required<'projects' | 'systems'>();

  go(index: number): void {
    const target = index === 0 ? 'projects' : 'systems';
    if (target !== this.active())
      void this.router.navigate(target === 'projects' ? ['/projects'] : ['/projects/systems']);
  }
}
