import { ChangeDetectionStrategy, Component, computed, inject } from '@angular/core';
import { ActivatedRoute } from '@angular/router';
import { NzTabsModule } from 'ng-zorro-antd/tabs';
import { Auth } from '../core/auth';
import { TAB_LABELS, tabsFor, type AdminTab } from './admin.logic';
import { DefinitionsTab } from './definitions-tab';
import { ExchangeTab } from './exchange-tab';
import { HolidaysTab } from './holidays-tab';
import { IncidentsTab } from './incidents-tab';
import { MailboxTab } from './mailbox-tab';
import { OrgUnitsTab } from './org-units-tab';
import { UnownedTab } from './unowned-tab';
import { UsersTab } from './users-tab';

/** 系统管理: only the tabs the person's role may use (三员分立). Tabs load when first opened. */
@Component({
  selector: 'zw-admin',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [
    NzTabsModule,
    OrgUnitsTab,
    UsersTab,
    HolidaysTab,
    DefinitionsTab,
    IncidentsTab,
    UnownedTab,
    MailboxTab,
    ExchangeTab,
  ],
  template: `
    <div class="page">
      <div class="page-header"><h2>系统管理</h2></div>
      <nz-tabs [nzSelectedIndex]="initialTab()">
        @for (tab of tabs(); track tab) {
          <nz-tab [nzTitle]="labels[tab]">
            <ng-template nz-tab>
              @switch (tab) {
                @case ('units') {
                  <zw-org-units-tab />
                }
                @case ('users') {
                  <zw-users-tab />
                }
                @case ('holidays') {
                  <zw-holidays-tab />
                }
                @case ('definitions') {
                  <zw-definitions-tab />
                }
                @case ('incidents') {
                  <zw-incidents-tab />
                }
                @case ('unowned') {
                  <zw-unowned-tab />
                }
                @case ('mailbox') {
                  <zw-mailbox-tab />
                }
                @case ('exchange') {
                  <zw-exchange-tab />
                }
              }
            </ng-template>
          </nz-tab>
        }
      </nz-tabs>
    </div>
  `,
})
export class AdminPage {
  private readonly auth = inject(Auth);
  protected readonly labels = TAB_LABELS;
  private readonly route = inject(ActivatedRoute);
  protected readonly tabs = computed(() => tabsFor(this.auth.roles()));
  /** `?tab=definitions` opens that tab (the modeler's way back). */
  protected readonly initialTab = computed(() =>
    Math.max(0, this.tabs().indexOf(this.route.snapshot.queryParamMap.get('tab') as AdminTab)),
  );
}
