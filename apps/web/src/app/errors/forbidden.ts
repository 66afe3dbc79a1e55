import { ChangeDetectionStrategy, Component, inject } from '@angular/core';
import { Location } from '@angular/common';
import { RouterLink } from '@angular/router';
import { NzButtonModule } from 'ng-zorro-antd/button';
import { NzResultModule } from 'ng-zorro-antd/result';

/**
 * A page the person's roles do not open. The guard shows it without changing the address bar
 * (core/auth.ts withRoles), so the address says which page was refused.
 */
@Component({
  selector: 'zw-forbidden',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [RouterLink, NzButtonModule, NzResultModule],
  template: `
    <nz-result
      nzStatus="403"
      nzTitle="无权访问"
      [nzSubTitle]="'您没有访问 ' + path + ' 的权限。如确需使用，请联系系统管理员分配相应角色。'"
    >
      <div nz-result-extra>
        <a nz-button nzType="primary" routerLink="/inbox">返回待办</a>
        <button nz-button type="button" (click)="back()">返回上一页</button>
      </div>
    </nz-result>
  `,
})
export class Forbidden {
  private readonly location = inject(Location);
  protected readonly path = this.location.path() || '/';

  protected back(): void {
    this.location.back();
  }
}
