import { Component, input, model } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { NzButtonModule } from 'ng-zorro-antd/button';
import { NzFormModule } from 'ng-zorro-antd/form';
import { NzInputModule } from 'ng-zorro-antd/input';
import { NzSelectModule } from 'ng-zorro-antd/select';
import {
  emptyPartnerRow,
  type PartnerEntry,
  type PartnerRecipientRow,
  type PartnerRowErrors,
} from './partner-recipients.logic';

/**
 * 外部收文单位: units on partner deployments (公文交换) the document goes to, beside the local 主送/抄送. The unit
 * code is the unit's code in the partner's own organisation (its administrator gives it).
 */
@Component({
  selector: 'zw-partner-recipients-editor',
  imports: [FormsModule, NzButtonModule, NzFormModule, NzInputModule, NzSelectModule],
  template: `
    <fieldset class="partners">
      <legend>外部系统收文单位（公文交换）</legend>
      <p class="hint">
        签发分发时，本系统用交换证书签名后送达对方系统；对方签收或退文的回执在公文页面实时显示。
      </p>
      @for (row of rows(); track $index; let i = $index) {
        <div class="partner-row" [attr.data-testid]="'partner-row-' + i">
          <nz-form-item>
            <nz-form-label [nzFor]="'partner-organ-' + i">交换方</nz-form-label>
            <nz-form-control
              [nzValidateStatus]="errors()[i]?.organCode ? 'error' : ''"
              [nzErrorTip]="errors()[i]?.organCode ?? ''"
            >
              <nz-select
                [nzId]="'partner-organ-' + i"
                [name]="'partnerOrgan' + i"
                [(ngModel)]="row.organCode"
                (ngModelChange)="changed()"
              >
                @for (p of partners(); track p.organCode) {
                  <nz-option
                    [nzValue]="p.organCode"
                    [nzLabel]="p.name + '（' + p.organCode + '）'"
                  />
                }
              </nz-select>
            </nz-form-control>
          </nz-form-item>
          <nz-form-item>
            <nz-form-label [nzFor]="'partner-unit-code-' + i">单位代码</nz-form-label>
            <nz-form-control
              [nzValidateStatus]="errors()[i]?.unitCode ? 'error' : ''"
              [nzErrorTip]="errors()[i]?.unitCode ?? ''"
            >
              <input
                nz-input
                [id]="'partner-unit-code-' + i"
                [name]="'partnerUnitCode' + i"
                [(ngModel)]="row.unitCode"
                (ngModelChange)="changed()"
                placeholder="如 320000"
              />
            </nz-form-control>
          </nz-form-item>
          <nz-form-item class="grow">
            <nz-form-label [nzFor]="'partner-unit-name-' + i">单位名称</nz-form-label>
            <nz-form-control
              [nzValidateStatus]="errors()[i]?.unitName ? 'error' : ''"
              [nzErrorTip]="errors()[i]?.unitName ?? ''"
            >
              <input
                nz-input
                [id]="'partner-unit-name-' + i"
                [name]="'partnerUnitName' + i"
                [(ngModel)]="row.unitName"
                (ngModelChange)="changed()"
                maxlength="100"
                placeholder="如 江苏省自然资源厅"
              />
            </nz-form-control>
          </nz-form-item>
          <nz-form-item>
            <nz-form-label [nzFor]="'partner-kind-' + i">方式</nz-form-label>
            <nz-form-control>
              <nz-select
                [nzId]="'partner-kind-' + i"
                [name]="'partnerKind' + i"
                [(ngModel)]="row.kind"
                (ngModelChange)="changed()"
              >
                <nz-option nzValue="主送" nzLabel="主送" />
                <nz-option nzValue="抄送" nzLabel="抄送" />
              </nz-select>
            </nz-form-control>
          </nz-form-item>
          <button
            nz-button
            nzDanger
            type="button"
            class="remove"
            (click)="remove(i)"
            [attr.aria-label]="'删除第' + (i + 1) + '个外部收文单位'"
          >
            删除
          </button>
        </div>
      }
      <button nz-button type="button" (click)="add()">添加外部收文单位</button>
    </fieldset>
  `,
  styles: `
    .partners {
      border: 1px solid #f0f0f0;
      border-radius: 6px;
      padding: 12px 16px;
      margin-bottom: 24px;
    }
    legend {
      font-size: 14px;
      width: auto;
      padding: 0 4px;
      margin: 0;
      border: 0;
    }
    .hint {
      color: #666;
      font-size: 12px;
    }
    .partner-row {
      display: flex;
      flex-wrap: wrap;
      gap: 12px;
      align-items: flex-end;
    }
    .partner-row nz-form-item {
      min-width: 160px;
    }
    .partner-row .grow {
      flex: 1 1 220px;
    }
    .remove {
      margin-bottom: 24px;
    }
  `,
})
export class PartnerRecipientsEditor {
  readonly partners = input.required<PartnerEntry[]>();
  readonly errors = input<PartnerRowErrors[]>([]);
  readonly rows = model<PartnerRecipientRow[]>([]);

  protected add(): void {
    this.rows.update((rows) => [...rows, emptyPartnerRow(this.partners())]);
  }

  protected remove(index: number): void {
    this.rows.update((rows) => rows.filter((_, i) => i !== index));
  }

  protected changed(): void {
    this.rows.update((rows) => [...rows]);
  }
}
