import { NgTemplateOutlet } from '@angular/common';
import { Component, ViewContainerRef, computed, inject, signal, viewChild } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { NavigationEnd, Router, RouterLink, RouterOutlet } from '@angular/router';
import { ROLE_LABELS, type Role } from '@zhengwu/contracts';
import { NzAvatarModule } from 'ng-zorro-antd/avatar';
import { NzBadgeModule } from 'ng-zorro-antd/badge';
import { NzButtonModule } from 'ng-zorro-antd/button';
import { NzDrawerModule } from 'ng-zorro-antd/drawer';
import { NzDropDownModule } from 'ng-zorro-antd/dropdown';
import { NzIconModule } from 'ng-zorro-antd/icon';
import { NzLayoutModule } from 'ng-zorro-antd/layout';
import { NzMenuModule } from 'ng-zorro-antd/menu';
import { NzTagModule } from 'ng-zorro-antd/tag';
import { NzTooltipModule } from 'ng-zorro-antd/tooltip';
import { Api } from '../core/api';
import { Auth } from '../core/auth';
import { TypeSizeSetting } from '../core/type-size';
import { Viewport } from '../core/viewport';
import { SearchBox } from '../search/search-box';

interface MenuItem {
  path: string;
  label: string;
  icon: string;
  /** Shown to holders of any of these roles; everyone when absent. */
  roles?: Role[];
}

/** The menu follows the person's roles: nobody sees a page they cannot use. */
export const MENU: MenuItem[] = [
  { path: '/dashboard', label: '工作台', icon: 'bar-chart' },
  { path: '/inbox', label: '待办事项', icon: 'inbox' },
  { path: '/documents', label: '公文交换', icon: 'file-text' },
  {
    path: '/approvals',
    label: '三级联网审批',
    icon: 'partition',
    roles: ['clerk', 'drafter', 'reviewer', 'dept-approver', 'signer'],
  },
  { path: '/projects', label: '项目立项与台账', icon: 'project' },
  { path: '/filings', label: '规划备案', icon: 'file-protect' },
  { path: '/data-requests', label: '数据使用申请', icon: 'database' },
  { path: '/data-release', label: '数据发布', icon: 'cloud-upload' },
  { path: '/data-collection', label: '基础数据汇交', icon: 'cloud-upload' },
  { path: '/supervision', label: '督办', icon: 'clock-circle' },
  { path: '/work-plans', label: '年度工作要点', icon: 'schedule' },
  { path: '/announcements', label: '公告', icon: 'notification' },
  { path: '/archive', label: '电子档案', icon: 'folder-open', roles: ['archivist'] },
  { path: '/seals', label: '电子印章', icon: 'safety-certificate', roles: ['seal-keeper'] },
  { path: '/catalogue', label: '数据共享目录', icon: 'database' },
  { path: '/directory', label: '通讯录', icon: 'contacts' },
  {
    path: '/admin',
    label: '系统管理',
    icon: 'setting',
    roles: ['sysadmin', 'secadmin', 'auditor'],
  },
];

interface Substitution {
  id: string;
  userName?: string;
  substituteName?: string;
  isActive?: boolean;
  endsOn: string;
}

@Component({
  selector: 'zw-shell',
  imports: [
    NgTemplateOutlet,
    RouterOutlet,
    RouterLink,
    NzLayoutModule,
    NzMenuModule,
    NzIconModule,
    NzAvatarModule,
    NzDropDownModule,
    NzTagModule,
    NzBadgeModule,
    NzButtonModule,
    NzDrawerModule,
    NzTooltipModule,
    SearchBox,
  ],
  template: `
    <ng-template #menuList let-inline>
      <ul nz-menu nzTheme="dark" nzMode="inline" [nzInlineCollapsed]="inline && collapsed()">
        @for (item of menu(); track item.path) {
          <li
            nz-menu-item
            nzMatchRouter
            [routerLink]="item.path"
            [attr.data-menu]="item.path"
            (keydown.enter)="press($event)"
          >
            <nz-icon [nzType]="item.icon" />
            <span>{{ item.label }}</span>
          </li>
        }
      </ul>
    </ng-template>
    <nz-layout class="shell">
      @if (viewport.isPhone()) {
        <!-- A phone has no room for a side menu: the same menu slides in from the menu button. -->
        <nz-drawer
          [nzVisible]="drawerOpen()"
          nzPlacement="left"
          [nzWidth]="240"
          [nzClosable]="false"
          [nzBodyStyle]="{ padding: 0, background: '#001529' }"
          (nzOnClose)="drawerOpen.set(false)"
        >
          <ng-container *nzDrawerContent>
            <nav aria-label="主菜单" data-testid="menu-drawer">
              <div class="brand">政务办公平台</div>
              <ng-container *ngTemplateOutlet="menuList; context: { $implicit: false }" />
            </nav>
          </ng-container>
        </nz-drawer>
      } @else {
        <nz-sider nzCollapsible [(nzCollapsed)]="collapsed" [nzWidth]="208" nzTheme="dark">
          <div class="brand">{{ collapsed() ? '政务' : '政务办公平台' }}</div>
          <ng-container *ngTemplateOutlet="menuList; context: { $implicit: true }" />
        </nz-sider>
      }
      <nz-layout>
        <nz-header class="header">
          @if (viewport.isPhone()) {
            <button
              nz-button
              nzType="text"
              type="button"
              class="menu-button"
              aria-label="打开菜单"
              [attr.aria-expanded]="drawerOpen()"
              (click)="drawerOpen.set(true)"
              data-testid="menu-button"
            >
              <nz-icon nzType="menu" />
            </button>
          }
          <span class="unit">{{ auth.user()?.unitName }}</span>
          @for (s of standingIn(); track s.id) {
            <nz-tag
              class="substitution"
              nzColor="orange"
              nz-tooltip
              [nzTooltipTitle]="'至 ' + s.endsOn"
              >代理 {{ s.userName }}</nz-tag
            >
          }
          @for (s of away(); track s.id) {
            <nz-tag
              class="substitution"
              nzColor="blue"
              nz-tooltip
              [nzTooltipTitle]="'至 ' + s.endsOn"
              >由 {{ s.substituteName }} 代理</nz-tag
            >
          }
          <!-- Right-aligned: the person's menu, and room for header tools (the notification bell) before it. -->
          <div class="header-actions">
            <zw-search-box />
            <ng-container #bell />
            <!-- A button opened by click: reachable with Tab and opened with Enter or Space, not only by hovering. -->
            <button
              type="button"
              nz-dropdown
              nzTrigger="click"
              [nzDropdownMenu]="userMenu"
              class="user"
              data-testid="user-menu"
              aria-haspopup="menu"
            >
              <nz-avatar nzIcon="user" nzSize="small" aria-hidden="true" />
              <span class="user-name">{{ auth.user()?.displayName }}</span>
              <span class="roles">{{ roleLabels() }}</span>
            </button>
          </div>
          <nz-dropdown-menu #userMenu="nzDropdownMenu">
            <ul nz-menu>
              <li nz-menu-item routerLink="/password" (keydown.enter)="press($event)">
                <nz-icon nzType="lock" /> 修改密码
              </li>
              <li nz-menu-item routerLink="/two-factor" (keydown.enter)="press($event)">
                <nz-icon nzType="safety-certificate" /> 双因素认证
              </li>
              <li nz-menu-item routerLink="/substitutes" (keydown.enter)="press($event)">
                <nz-icon nzType="team" /> 代理设置
              </li>
              <li
                nz-menu-item
                tabindex="0"
                role="menuitem"
                data-testid="type-size"
                (click)="typeSize.set(typeSize.next())"
                (keydown.enter)="press($event)"
              >
                <nz-icon nzType="font-size" /> 大字模式：{{
                  typeSize.size() === 100 ? '关' : typeSize.size() + '%'
                }}
              </li>
              <li nz-menu-item tabindex="0" (click)="auth.logout()" (keydown.enter)="press($event)">
                <nz-icon nzType="logout" /> 退出登录
              </li>
            </ul>
          </nz-dropdown-menu>
        </nz-header>
        <nz-content class="content">
          <router-outlet />
        </nz-content>
      </nz-layout>
    </nz-layout>
  `,
  styles: `
    .shell {
      min-height: 100vh;
    }
    .brand {
      height: 48px;
      line-height: 48px;
      color: #fff;
      font-size: 16px;
      font-weight: 600;
      text-align: center;
      white-space: nowrap;
      overflow: hidden;
    }
    .header {
      background: #fff;
      padding: 0 24px;
      display: flex;
      align-items: center;
      gap: 8px;
      box-shadow: 0 1px 4px rgba(0, 21, 41, 0.08);
    }
    .unit {
      font-weight: 600;
    }
    .header-actions {
      margin-left: auto;
      display: flex;
      align-items: center;
      gap: 8px;
    }
    .user {
      border: 0;
      background: none;
      cursor: pointer;
      font: inherit;
      padding: 0 4px;
      display: flex;
      align-items: center;
      gap: 8px;
      color: inherit;
      min-height: 40px;
    }
    .menu-button {
      width: 40px;
      height: 40px;
      font-size: 18px;
      flex-shrink: 0;
    }
    /* Phone: the header keeps one line; the unit and the name shorten, the role list goes. */
    @media (max-width: 767.98px) {
      .header {
        padding: 0 8px 0 4px;
        gap: 4px;
      }
      .unit,
      .user-name {
        min-width: 0;
        overflow: hidden;
        text-overflow: ellipsis;
        white-space: nowrap;
      }
      .header-actions {
        min-width: 0;
        flex-shrink: 0;
        max-width: 40%;
      }
      /* The person's name gives way (ellipsis) to the tools before it: search and the bell. */
      .user {
        min-width: 0;
      }
      /* 代理 shows on each task in the inbox; the header has no room for it on a phone. */
      .roles,
      .substitution {
        display: none;
      }
    }
    .roles {
      color: #595959;
      font-size: 12px;
    }
    .content {
      background: #f5f7fa;
    }
  `,
})
export class Shell {
  protected readonly auth = inject(Auth);
  private readonly api = inject(Api);
  protected readonly viewport = inject(Viewport);
  protected readonly typeSize = inject(TypeSizeSetting);
  protected readonly collapsed = signal(false);
  protected readonly drawerOpen = signal(false);
  protected readonly menu = computed(() =>
    MENU.filter((m) => !m.roles || this.auth.hasRole(...m.roles)),
  );
  protected readonly roleLabels = computed(() =>
    this.auth
      .roles()
      .map((r) => ROLE_LABELS[r])
      .join('、'),
  );
  protected readonly standingIn = signal<Substitution[]>([]);
  protected readonly away = signal<Substitution[]>([]);
  /** Where the notification bell goes: its own chunk, loaded after the shell (keeps the initial bundle in budget). */
  private readonly bellSlot = viewChild.required('bell', { read: ViewContainerRef });

  constructor() {
    void import('../notifications/notification-bell').then((m) =>
      this.bellSlot().createComponent(m.NotificationBell),
    );
    // The drawer closes once a menu item has taken the person to its page.
    inject(Router)
      .events.pipe(takeUntilDestroyed())
      .subscribe((event) => {
        if (event instanceof NavigationEnd) this.drawerOpen.set(false);
      });
    // 代理 status in the header: whom I stand in for today, and who stands in for me.
    void this.api
      .get<{ given: Substitution[]; received: Substitution[] }>('/substitutes')
      .then((s) => {
        this.standingIn.set(s.received.filter((r) => r.isActive));
        this.away.set(s.given.filter((g) => g.isActive));
      })
      .catch(() => undefined);
  }

  /** Enter on a menu item does what a click does: the items are list items, which browsers only click by mouse. */
  protected press(event: Event): void {
    (event.target as HTMLElement).click();
  }
}
