import { NzCheckboxModule } from 'ng-zorro-antd/checkbox';
import { Component, OnInit, inject, input, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { Router, RouterLink } from '@angular/router';
import { NzButtonModule } from 'ng-zorro-antd/button';
import { NzFormModule } from 'ng-zorro-antd/form';
import { NzInputModule } from 'ng-zorro-antd/input';
import { NzMessageService } from 'ng-zorro-antd/message';
import { NzSelectModule } from 'ng-zorro-antd/select';
import { NzTreeSelectModule } from 'ng-zorro-antd/tree-select';
import { Api, ApiError } from '../core/api';
import { Auth } from '../core/auth';
import {
  DISCLOSURES,
  DOC_TYPES,
  SECRECY_LEVELS,
  URGENCIES,
  emptyDocumentForm,
  fromDocument,
  hasErrors,
  toDocumentBody,
  toUnitOptions,
  validateDocumentForm,
  type DocumentField,
  type DocumentForm,
  type FieldErrors,
  type UnitNode,
  type UnitOption,
} from './document-form.logic';
import { PartnerRecipientsEditor } from './partner-recipients-editor';
import {
  partnerRowErrors,
  rowsHaveErrors,
  toPartnerBody,
  type PartnerEntry,
  type PartnerRecipientRow,
  type PartnerRowErrors,
} from './partner-recipients.logic';

const FIELDS: DocumentField[] = [
  'docType',
  'title',
  'secrecy',
  'secrecyTerm',
  'urgency',
  'disclosure',
  'mainRecipients',
  'ccRecipients',
  'countersignUnits',
  'body',
  'attachmentNote',
  'jointIssue',
  'informatization',
  'present',
  'absent',
  'attending',
];

/** 起草公文 (`/documents/new`) and 修改 (`/documents/:id/edit`) while the drafter holds 拟稿. */
@Component({
  selector: 'zw-document-form-page',
  imports: [
    FormsModule,
    NzCheckboxModule,
    RouterLink,
    NzButtonModule,
    NzFormModule,
    NzInputModule,
    NzSelectModule,
    NzTreeSelectModule,
    PartnerRecipientsEditor,
  ],
  template: `
    <div class="page">
      <div class="page-header">
        <h2>{{ id() ? '修改公文' : '起草公文' }}</h2>
      </div>
      <form nz-form nzLayout="vertical" class="form" (ngSubmit)="save()" novalidate>
        <div class="row">
          <nz-form-item>
            <nz-form-label nzFor="docType" nzRequired>文种</nz-form-label>
            <nz-form-control
              [nzValidateStatus]="status('docType')"
              [nzErrorTip]="errors().docType ?? ''"
            >
              <nz-select
                nzId="docType"
                name="docType"
                [(ngModel)]="form.docType"
                (ngModelChange)="touched('docType')"
              >
                @for (t of docTypes; track t) {
                  <nz-option [nzValue]="t" [nzLabel]="t" />
                }
              </nz-select>
            </nz-form-control>
          </nz-form-item>
          <nz-form-item>
            <nz-form-label nzFor="secrecy">密级</nz-form-label>
            <nz-form-control>
              <nz-select nzId="secrecy" name="secrecy" [(ngModel)]="form.secrecy">
                @for (s of secrecyLevels; track s) {
                  <nz-option [nzValue]="s" [nzLabel]="s" />
                }
              </nz-select>
            </nz-form-control>
          </nz-form-item>
          <nz-form-item>
            <nz-form-label nzFor="secrecyTerm">保密期限</nz-form-label>
            <nz-form-control
              [nzValidateStatus]="status('secrecyTerm')"
              [nzErrorTip]="errors().secrecyTerm ?? ''"
            >
              <input
                nz-input
                id="secrecyTerm"
                name="secrecyTerm"
                [(ngModel)]="form.secrecyTerm"
                (ngModelChange)="touched('secrecyTerm')"
                [disabled]="form.secrecy === '非密'"
                placeholder="如：1年"
              />
            </nz-form-control>
          </nz-form-item>
          <nz-form-item>
            <nz-form-label nzFor="urgency">紧急程度</nz-form-label>
            <nz-form-control>
              <nz-select nzId="urgency" name="urgency" [(ngModel)]="form.urgency">
                @for (u of urgencies; track u) {
                  <nz-option [nzValue]="u" [nzLabel]="u" />
                }
              </nz-select>
            </nz-form-control>
          </nz-form-item>
          <nz-form-item>
            <nz-form-label nzFor="disclosure">公开属性</nz-form-label>
            <nz-form-control
              [nzValidateStatus]="status('disclosure')"
              [nzErrorTip]="errors().disclosure ?? ''"
              nzExtra="拟稿时确定，送核稿后不能再改"
            >
              <nz-select
                nzId="disclosure"
                name="disclosure"
                [(ngModel)]="form.disclosure"
                (ngModelChange)="touched('disclosure')"
                nzPlaceHolder="请选择"
              >
                <nz-option nzValue="" nzLabel="未确定" />
                @for (d of disclosures; track d) {
                  <nz-option [nzValue]="d" [nzLabel]="d" />
                }
              </nz-select>
            </nz-form-control>
          </nz-form-item>
        </div>

        <nz-form-item>
          <nz-form-label nzFor="title" nzRequired>标题</nz-form-label>
          <nz-form-control [nzValidateStatus]="status('title')" [nzErrorTip]="errors().title ?? ''">
            <input
              nz-input
              id="title"
              name="title"
              [(ngModel)]="form.title"
              (ngModelChange)="touched('title')"
              maxlength="200"
            />
          </nz-form-control>
        </nz-form-item>

        <nz-form-item>
          <nz-form-label nzFor="mainRecipients" nzRequired>主送机关</nz-form-label>
          <nz-form-control
            [nzValidateStatus]="status('mainRecipients')"
            [nzErrorTip]="errors().mainRecipients ?? ''"
          >
            <nz-tree-select
              nzId="mainRecipients"
              name="mainRecipients"
              [nzNodes]="units()"
              nzMultiple
              nzShowSearch
              nzPlaceHolder="选择主送机关"
              [(ngModel)]="form.mainRecipients"
              (ngModelChange)="touched('mainRecipients')"
            />
          </nz-form-control>
        </nz-form-item>
        <nz-form-item>
          <nz-form-label nzFor="ccRecipients">抄送机关</nz-form-label>
          <nz-form-control
            [nzValidateStatus]="status('ccRecipients')"
            [nzErrorTip]="errors().ccRecipients ?? ''"
          >
            <nz-tree-select
              nzId="ccRecipients"
              name="ccRecipients"
              [nzNodes]="units()"
              nzMultiple
              nzShowSearch
              nzPlaceHolder="选择抄送机关（可不选）"
              [(ngModel)]="form.ccRecipients"
              (ngModelChange)="touched('ccRecipients')"
            />
          </nz-form-control>
        </nz-form-item>
        <nz-form-item>
          <nz-form-label nzFor="countersignUnits">会签单位</nz-form-label>
          <nz-form-control
            [nzValidateStatus]="status('countersignUnits')"
            [nzErrorTip]="errors().countersignUnits ?? ''"
            nzExtra="选择后，须各会签单位同意方可签发"
          >
            <nz-tree-select
              nzId="countersignUnits"
              name="countersignUnits"
              [nzNodes]="units()"
              nzMultiple
              nzShowSearch
              nzPlaceHolder="选择会签单位（可不选）"
              [(ngModel)]="form.countersignUnits"
              (ngModelChange)="touched('countersignUnits')"
            />
          </nz-form-control>
        </nz-form-item>
        @if (partners().length > 0) {
          <zw-partner-recipients-editor
            [partners]="partners()"
            [errors]="partnerErrors()"
            [(rows)]="partnerRows"
          />
        }
        <nz-form-item>
          <nz-form-label nzFor="jointIssue">联合行文</nz-form-label>
          <nz-form-control
            [nzValidateStatus]="status('jointIssue')"
            [nzErrorTip]="errors().jointIssue ?? ''"
            nzExtra="以本单位（主办）和会签单位的名义联合发文：版头列各机关名称，落款逐一署名"
          >
            <label
              nz-checkbox
              id="jointIssue"
              name="jointIssue"
              [(ngModel)]="form.jointIssue"
              (ngModelChange)="touched('jointIssue')"
              >与会签单位联合行文</label
            >
          </nz-form-control>
        </nz-form-item>
        <nz-form-item>
          <nz-form-label nzFor="informatization">信息化相关文件</nz-form-label>
          <nz-form-control
            [nzValidateStatus]="status('informatization')"
            [nzErrorTip]="errors().informatization ?? ''"
            [nzExtra]="
              informatizationLocked()
                ? '核稿人已标记为信息化相关文件，拟稿人不能取消'
                : '以部或部办公厅名义印发的信息化相关文件，核稿后须经信息办审核、信息化领导小组批准方可签发'
            "
          >
            <label
              nz-checkbox
              id="informatization"
              name="informatization"
              data-testid="informatization"
              [nzDisabled]="informatizationLocked()"
              [(ngModel)]="form.informatization"
              (ngModelChange)="touched('informatization')"
              >属于信息化相关文件</label
            >
          </nz-form-control>
        </nz-form-item>
        @if (form.docType === '纪要') {
          @for (f of attendanceFields; track f.key) {
            <nz-form-item>
              <nz-form-label [nzFor]="f.key">{{ f.label }}</nz-form-label>
              <nz-form-control
                [nzValidateStatus]="status(f.key)"
                [nzErrorTip]="errors()[f.key] ?? ''"
              >
                <input
                  nz-input
                  [id]="f.key"
                  [name]="f.key"
                  [placeholder]="f.hint"
                  [(ngModel)]="form[f.key]"
                  (ngModelChange)="touched(f.key)"
                />
              </nz-form-control>
            </nz-form-item>
          }
        }

        <nz-form-item>
          <nz-form-label nzFor="body" nzRequired>正文</nz-form-label>
          <nz-form-control [nzValidateStatus]="status('body')" [nzErrorTip]="errors().body ?? ''">
            <textarea
              nz-input
              id="body"
              name="body"
              rows="14"
              [(ngModel)]="form.body"
              (ngModelChange)="touched('body')"
            ></textarea>
          </nz-form-control>
        </nz-form-item>
        <nz-form-item>
          <nz-form-label nzFor="attachmentNote">附件说明</nz-form-label>
          <nz-form-control
            [nzValidateStatus]="status('attachmentNote')"
            [nzErrorTip]="errors().attachmentNote ?? ''"
            nzExtra="每行一项；附件文件在保存后上传"
          >
            <textarea
              nz-input
              id="attachmentNote"
              name="attachmentNote"
              rows="3"
              [(ngModel)]="form.attachmentNote"
              (ngModelChange)="touched('attachmentNote')"
            ></textarea>
          </nz-form-control>
        </nz-form-item>

        <div class="toolbar">
          <button nz-button nzType="primary" type="submit" [nzLoading]="saving()">保存</button>
          <a nz-button [routerLink]="id() ? ['/documents', id()] : ['/documents']">取消</a>
        </div>
      </form>
    </div>
  `,
  styles: `
    .form {
      max-width: 960px;
    }
    .row {
      display: grid;
      grid-template-columns: repeat(4, minmax(0, 1fr));
      gap: 0 16px;
    }
    @media (max-width: 900px) {
      .row {
        grid-template-columns: repeat(2, minmax(0, 1fr));
      }
    }
  `,
})
export class DocumentFormPage implements OnInit {
  private readonly api = inject(Api);
  private readonly auth = inject(Auth);
  private readonly router = inject(Router);
  private readonly message = inject(NzMessageService);
  /** Route parameter `:id` when editing. */
  readonly id = input<string>();
  protected readonly docTypes = DOC_TYPES;
  protected readonly secrecyLevels = SECRECY_LEVELS;
  protected readonly disclosures = DISCLOSURES;
  /** 纪要's lists (GB/T 9704-2012 §10.3). */
  protected readonly attendanceFields = [
    { key: 'present', label: '出席', hint: '如：张伟、李明、王芳' },
    { key: 'absent', label: '请假', hint: '可不填' },
    { key: 'attending', label: '列席', hint: '可不填' },
  ] as const;
  protected readonly urgencies = URGENCIES;
  protected form: DocumentForm = emptyDocumentForm();
  protected readonly units = signal<UnitOption[]>([]);
  protected readonly errors = signal<FieldErrors<DocumentField>>({});
  protected readonly saving = signal(false);
  /** Registered partner deployments (公文交换); none while exchange is off, and the section stays hidden. */
  protected readonly partners = signal<PartnerEntry[]>([]);
  protected readonly partnerRows = signal<PartnerRecipientRow[]>([]);
  protected readonly partnerErrors = signal<PartnerRowErrors[]>([]);
  /** A reviewer's 信息化 mark stays (the api answers IT_MARK_LOCKED otherwise). */
  protected readonly informatizationLocked = signal(false);
  private submitted = false;

  async ngOnInit(): Promise<void> {
    const ownUnit = this.auth.user()?.unitId;
    try {
      const [tree, doc] = await Promise.all([
        this.api.get<UnitNode[]>('/org/units'),
        this.id()
          ? this.api.get<
              Parameters<typeof fromDocument>[0] & {
                itReview?: { markedByReviewer?: boolean } | null;
              }
            >(`/documents/${this.id()}`)
          : Promise.resolve(null),
      ]);
      this.units.set(toUnitOptions(tree, ownUnit));
      if (doc) {
        this.form = fromDocument(doc);
        this.informatizationLocked.set(doc.itReview?.markedByReviewer === true);
      }
      await this.loadPartners();
    } catch (error) {
      this.message.error(error instanceof ApiError ? error.message : '加载失败，请刷新页面');
    }
  }

  /** After the first attempt to save, errors follow the typing. */
  touched(field: DocumentField): void {
    if (!this.submitted) {
      if (this.errors()[field]) this.errors.update((e) => ({ ...e, [field]: undefined }));
      return;
    }
    this.errors.set(validateDocumentForm(this.form, this.auth.user()?.unitId));
  }

  protected status(field: DocumentField): 'error' | '' {
    return this.errors()[field] ? 'error' : '';
  }

  async save(): Promise<void> {
    this.submitted = true;
    const errors = validateDocumentForm(this.form, this.auth.user()?.unitId);
    this.errors.set(errors);
    if (hasErrors(errors)) {
      this.message.warning('请按提示修改标红的项目后再保存');
      return;
    }
    const partnerErrors = partnerRowErrors(this.partnerRows(), this.partners());
    this.partnerErrors.set(partnerErrors);
    if (rowsHaveErrors(partnerErrors)) {
      this.message.warning('请按提示修改外部收文单位后再保存');
      return;
    }
    this.saving.set(true);
    try {
      const body = toDocumentBody(this.form);
      const id = this.id();
      const saved = id ?? (await this.api.post<{ id: string }>('/documents', body)).id;
      if (id) await this.api.put(`/documents/${id}`, body);
      // Two calls: a refusal of the partner units leaves the saved document, and says so.
      if (this.partners().length > 0 && !(await this.savePartners(saved))) {
        await this.router.navigate(['/documents', saved, 'edit']);
        return;
      }
      this.message.success(id ? '已保存修改' : '公文已保存，可上传附件后在待办中送核稿');
      await this.router.navigate(['/documents', saved]);
    } catch (error) {
      if (error instanceof ApiError) {
        const atFields: FieldErrors<DocumentField> = error.fieldErrors(FIELDS);
        this.errors.set(atFields);
        this.message.error(error.message);
      } else {
        this.message.error('保存失败，请重试');
      }
    } finally {
      this.saving.set(false);
    }
  }

  private async loadPartners(): Promise<void> {
    try {
      this.partners.set(await this.api.get<PartnerEntry[]>('/exchange/partners/directory'));
      const id = this.id();
      if (id && this.partners().length > 0) {
        const rows = await this.api.get<PartnerRecipientRow[]>(
          `/exchange/documents/${id}/partner-recipients`,
        );
        this.partnerRows.set(
          rows.map((r) => ({
            organCode: r.organCode,
            unitCode: r.unitCode,
            unitName: r.unitName,
            kind: r.kind,
          })),
        );
      }
    } catch {
      // Without the directory the document can still go to local units; the section stays hidden.
      this.partners.set([]);
    }
  }

  private async savePartners(documentId: string): Promise<boolean> {
    try {
      await this.api.put(
        `/exchange/documents/${documentId}/partner-recipients`,
        toPartnerBody(this.partnerRows()),
      );
      return true;
    } catch (error) {
      this.message.error(
        `公文已保存，但外部收文单位未保存：${error instanceof ApiError ? error.message : '请重试'}`,
      );
      return false;
    }
  }
}
