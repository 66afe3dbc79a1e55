import { ChangeDetectionStrategy, Component, inject } from '@angular/core';
import { Location } from '@angular/common';
import { RouterLink } from '@angular/router';
import { NzButtonModule } from 'ng-zorro-antd/button';
import { NzResultModule } from 'ng-zorro-antd/result';

/** An address no page answers: said plainly, with the way back, instead of a silent jump to the inbox. */
@Component({
  selector: 'zw-not-found',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [RouterLink, NzButtonModule, NzResultModule],
  template: `
    <nz-result
      nzStatus="404"
      nzTitle="页面不存在"
      [nzSubTitle]="'您访问的地址 ' + path + ' 不存在，可能已被删除或地址有误。'"
    >
      <div nz-result-extra>
        <a nz-button nzType="primary" routerLink="/inbox">返回待办</a>
        <button nz-button type="button" (click)="back()">返回上一页</button>
      </div>
    </nz-result>
  `,
})
export class NotFound {
  private readonly location = inject(Location);
  protected readonly path = this.location.path() || '/';

  protected back(): void {
    this.location.back();
  }
}
