import { ChangeDetectionStrategy, Component, inject } from '@angular/core';
import { Router, RouterLink } from '@angular/router';
import { NzButtonModule } from 'ng-zorro-antd/button';
import { NzIconModule } from 'ng-zorro-antd/icon';
import { Viewport } from '../core/viewport';

/** The header's search box: Enter opens the results page. On a phone only its button, the page has the box. */
@Component({
  selector: 'zw-search-box',
  changeDetection: ChangeDetectionStrategy.OnPush,
  // A plain input with ant's class: the header is in the initial bundle, which has a size budget.
  imports: [RouterLink, NzButtonModule, NzIconModule],
  template: `
    @if (viewport.isPhone()) {
      <a
        nz-button
        nzType="text"
        class="phone-button"
        routerLink="/search"
        aria-label="搜索"
        data-testid="search-open"
      >
        <nz-icon nzType="search" />
      </a>
    } @else {
      <form role="search" class="box" (submit)="go($event, query.value)">
        <nz-icon nzType="search" class="icon" />
        <input
          #query
          class="ant-input"
          type="search"
          name="q"
          maxlength="64"
          placeholder="搜索公文、项目、备案、审批、申请"
          aria-label="全局搜索"
          data-testid="search-box"
        />
      </form>
    }
  `,
  styles: `
    .box {
      width: 280px;
      position: relative;
      display: flex;
      align-items: center;
    }
    .icon {
      position: absolute;
      left: 10px;
      color: #8c8c8c;
      pointer-events: none;
      z-index: 1;
    }
    .box input {
      padding-left: 30px;
    }
    .phone-button {
      width: 40px;
      height: 40px;
      font-size: 18px;
      padding: 0;
      display: inline-flex;
      align-items: center;
      justify-content: center;
    }
  `,
})
export class SearchBox {
  protected readonly viewport = inject(Viewport);
  private readonly router = inject(Router);
  go(event: Event, value: string): void {
    event.preventDefault();
    const q = value.trim();
    void this.router.navigate(['/search'], { queryParams: q ? { q } : {} });
  }
}
