import { Component, OnInit, inject, input, model, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { NzSelectModule } from 'ng-zorro-antd/select';
import { Api } from '../core/api';

export interface PersonCard {
  id: string;
  username: string;
  displayName: string;
  unitId: string;
  unitName: string;
  title: string | null;
}

/** Picks one or several active people by name (GET /api/org/people), optionally within one unit. */
@Component({
  selector: 'zw-person-picker',
  imports: [FormsModule, NzSelectModule],
  template: `
    <nz-select
      [nzId]="inputId()"
      [nzMode]="multiple() ? 'multiple' : 'default'"
      nzShowSearch
      nzServerSearch
      nzAllowClear
      [nzPlaceHolder]="placeholder()"
      [nzLoading]="loading()"
      [nzStatus]="invalid() ? 'error' : ''"
      [ngModel]="value()"
      (ngModelChange)="changed($event)"
      (nzOnSearch)="search($event)"
      class="picker"
    >
      @for (person of options(); track person.id) {
        @if (!exclude().includes(person.id)) {
          <nz-option [nzValue]="person.id" [nzLabel]="label(person)" />
        }
      }
    </nz-select>
  `,
  styles: `
    .picker {
      width: 100%;
    }
  `,
})
export class PersonPicker implements OnInit {
  private readonly api = inject(Api);
  readonly inputId = input<string>('');
  readonly multiple = input(false);
  readonly unitId = input<string | null>(null);
  readonly placeholder = input('输入姓名或用户名搜索');
  readonly invalid = input(false);
  /** People not to offer (e.g. oneself). */
  readonly exclude = input<string[]>([]);
  readonly value = model<string | string[] | null>(null);
  protected readonly options = signal<PersonCard[]>([]);
  protected readonly loading = signal(false);
  /** Chosen people stay listed while the search changes, so their names keep showing. */
  private readonly chosen = new Map<string, PersonCard>();
  private seq = 0;

  ngOnInit(): void {
    void this.search('');
  }

  protected label(person: PersonCard): string {
    return `${person.displayName}（${person.unitName}${person.title ? ' · ' + person.title : ''}）`;
  }

  protected async search(term: string): Promise<void> {
    const seq = ++this.seq;
    this.loading.set(true);
    try {
      const found = await this.api.get<PersonCard[]>('/org/people', {
        q: term.trim(),
        unitId: this.unitId(),
        limit: 20,
      });
      if (seq !== this.seq) return;
      const ids = new Set(found.map((p) => p.id));
      this.options.set([...found, ...[...this.chosen.values()].filter((p) => !ids.has(p.id))]);
    } catch {
      if (seq === this.seq) this.options.set([...this.chosen.values()]);
    } finally {
      if (seq === this.seq) this.loading.set(false);
    }
  }

  protected changed(value: string | string[] | null): void {
    const ids = Array.isArray(value) ? value : value ? [value] : [];
    for (const id of [...this.chosen.keys()]) if (!ids.includes(id)) this.chosen.delete(id);
    for (const person of this.options())
      if (ids.includes(person.id)) this.chosen.set(person.id, person);
    this.value.set(value);
  }
}
