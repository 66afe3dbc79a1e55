import { ChangeDetectionStrategy, Component, OnInit, inject, signal } from '@angular/core';
import { UNIT_KIND_LABELS } from '@zhengwu/contracts';
import { NzMessageService } from 'ng-zorro-antd/message';
import { NzSpinModule } from 'ng-zorro-antd/spin';
import { NzTreeModule } from 'ng-zorro-antd/tree';
import { Api } from '../core/api';
import { toTreeNodes, type TreeNode, type UnitNode } from './admin.logic';
import { errorText } from './error-message';

/** 组织机构: the unit tree 部 → 司局/直属单位/督察局, 省 → 市 → 县. */
@Component({
  selector: 'zw-org-units-tab',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [NzTreeModule, NzSpinModule],
  template: `
    <nz-spin [nzSpinning]="loading()">
      <nz-tree [nzData]="nodes()" nzShowLine aria-label="组织机构树" />
    </nz-spin>
  `,
})
export class OrgUnitsTab implements OnInit {
  private readonly api = inject(Api);
  private readonly message = inject(NzMessageService);
  protected readonly nodes = signal<TreeNode[]>([]);
  protected readonly loading = signal(false);

  async ngOnInit(): Promise<void> {
    this.loading.set(true);
    try {
      const units = await this.api.get<UnitNode[]>('/org/units');
      this.nodes.set(toTreeNodes(units, UNIT_KIND_LABELS));
    } catch (error) {
      this.message.error(errorText(error, '组织机构加载失败，请刷新页面重试'));
    } finally {
      this.loading.set(false);
    }
  }
}
