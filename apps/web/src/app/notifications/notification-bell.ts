import { Component, OnDestroy, OnInit, inject, signal } from '@angular/core';
import { BellOutline } from '@ant-design/icons-angular/icons';
import { NzBadgeModule } from 'ng-zorro-antd/badge';
import { NzIconModule, provideNzIconsPatch } from 'ng-zorro-antd/icon';
import { NotificationCenter } from './notification-center';
import { NotificationPanel } from './notification-panel';

/**
 * The bell in the header: the unread count, live. The drawer with the list and 通知设置 is its own chunk,
 * fetched on the first click.
 */
@Component({
  selector: 'zw-notification-bell',
  imports: [NzBadgeModule, NzIconModule, NotificationPanel],
  providers: [provideNzIconsPatch([BellOutline])],
  template: `
    <button
      type="button"
      class="bell"
      data-bell
      [attr.data-live]="center.live()"
      [attr.aria-label]="center.unread() > 0 ? '通知，' + center.unread() + ' 条未读' : '通知'"
      (click)="open()"
    >
      <nz-badge [nzCount]="center.unread()" [nzOverflowCount]="99" nzSize="small">
        <nz-icon nzType="bell" class="bell-icon" />
      </nz-badge>
    </button>
    @defer (when opened()) {
      <zw-notification-panel [(visible)]="visible" />
    }
  `,
  styles: `
    :host {
      display: inline-flex;
    }
    .bell {
      display: inline-flex;
      align-items: center;
      justify-content: center;
      min-width: 40px;
      min-height: 40px;
      border: 0;
      background: transparent;
      cursor: pointer;
      border-radius: 4px;
    }
    .bell:focus-visible {
      outline: 2px solid #0958d9;
    }
    .bell-icon {
      font-size: 18px;
    }
  `,
})
export class NotificationBell implements OnInit, OnDestroy {
  protected readonly center = inject(NotificationCenter);
  protected readonly opened = signal(false);
  protected readonly visible = signal(false);

  ngOnInit(): void {
    this.center.start();
  }

  ngOnDestroy(): void {
    this.center.stop();
  }

  protected open(): void {
    this.opened.set(true);
    this.visible.set(true);
  }
}
