import { DatePipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { FormsModule } from '@angular/forms';
import { ActivatedRoute, Router, RouterLink } from '@angular/router';
import {
  SEARCH_KINDS,
  SEARCH_KIND_LABELS,
  SEARCH_MAX_LENGTH,
  SEARCH_MIN_LENGTH,
  type SearchKind,
  type SearchResult,
} from '@zhengwu/contracts';
import { NzButtonModule } from 'ng-zorro-antd/button';
import { NzEmptyModule } from 'ng-zorro-antd/empty';
import { NzIconModule } from 'ng-zorro-antd/icon';
import { NzInputModule } from 'ng-zorro-antd/input';
import { NzPaginationModule } from 'ng-zorro-antd/pagination';
import { NzSpinModule } from 'ng-zorro-antd/spin';
import { NzTagModule } from 'ng-zorro-antd/tag';
import { Api, ApiError } from '../core/api';
import { HighlightedTextView } from './highlighted-text';

const PAGE_SIZE = 20;

/** 全局搜索 results (/search?q=&kind=&page=): every kind the person may see, hits marked, filters by kind. */
@Component({
  selector: 'zw-search-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [
    DatePipe,
    FormsModule,
    RouterLink,
    NzButtonModule,
    NzEmptyModule,
    NzIconModule,
    NzInputModule,
    NzPaginationModule,
    NzSpinModule,
    NzTagModule,
    HighlightedTextView,
  ],
  template: `
    <div class="page">
      <div class="page-header"><h2>搜索</h2></div>
      <form role="search" class="toolbar" (ngSubmit)="submit()">
        <input
          nz-input
          type="search"
          name="q"
          class="query"
          [(ngModel)]="draft"
          [attr.maxlength]="maxLength"
          placeholder="标题、文号、正文中的词，多个词以空格分隔"
          aria-label="搜索词"
          data-testid="search-query"
        />
        <button nz-button nzType="primary" type="submit"><nz-icon nzType="search" />搜索</button>
      </form>
      @if (result(); as r) {
        <nav class="kinds" aria-label="按类别筛选">
          <a
            class="kind"
            [class.active]="!kind()"
            [routerLink]="[]"
            [queryParams]="{ q: r.query }"
            [attr.aria-current]="!kind() ? 'page' : null"
            data-kind="all"
            >全部 {{ all(r) }}{{ r.more.length ? '+' : '' }}</a
          >
          @for (k of kinds; track k) {
            <a
              class="kind"
              [class.active]="kind() === k"
              [routerLink]="[]"
              [queryParams]="{ q: r.query, kind: k }"
              [attr.aria-current]="kind() === k ? 'page' : null"
              [attr.data-kind]="k"
              >{{ labels[k] }} {{ r.counts[k] }}{{ r.more.includes(k) ? '+' : '' }}</a
            >
          }
        </nav>
      }
      @if (error(); as e) {
        <p class="error" role="alert" data-testid="search-error">{{ e }}</p>
      }
      <nz-spin [nzSpinning]="loading()">
        @if (result(); as r) {
          @if (r.items.length === 0) {
            <nz-empty nzNotFoundContent="没有找到相关内容（只在您有权查看的范围内搜索）" />
          } @else {
            <ol class="hits" data-testid="search-hits">
              @for (hit of r.items; track hit.kind + hit.id) {
                <li class="hit" [attr.data-id]="hit.id" [attr.data-kind]="hit.kind">
                  <div class="head">
                    <nz-tag>{{ labels[hit.kind] }}</nz-tag>
                    <a class="title" [routerLink]="hit.link"
                      ><zw-highlighted-text [value]="hit.title"
                    /></a>
                  </div>
                  <p class="snippet"><zw-highlighted-text [value]="hit.snippet" /></p>
                  <div class="meta">
                    @if (hit.number; as n) {
                      <span class="number"><zw-highlighted-text [value]="n" /></span>
                    }
                    <span>{{ hit.status }}</span>
                    <span>更新于 {{ hit.updatedAt | date: 'yyyy-MM-dd HH:mm' }}</span>
                  </div>
                </li>
              }
            </ol>
            @if (r.total > pageSize) {
              <nz-pagination
                [nzPageIndex]="page()"
                [nzPageSize]="pageSize"
                [nzTotal]="r.total"
                nzSize="small"
                (nzPageIndexChange)="goTo($event)"
              />
            }
          }
        } @else if (!error()) {
          <p class="hint">
            输入至少
            {{ minLength }}
            个字搜索公文（标题、文号、正文）、项目、规划备案、审批案件和数据使用申请。
          </p>
        }
      </nz-spin>
    </div>
  `,
  styles: `
    .toolbar {
      display: flex;
      gap: 8px;
      margin-bottom: 12px;
    }
    .query {
      flex: 1;
      max-width: 560px;
      min-width: 0;
    }
    .kinds {
      display: flex;
      flex-wrap: wrap;
      gap: 4px 8px;
      margin-bottom: 12px;
    }
    .kind {
      padding: 6px 12px;
      min-height: 40px;
      display: inline-flex;
      align-items: center;
      border-radius: 4px;
      color: #1f1f1f;
      background: #fff;
      border: 1px solid #d9d9d9;
    }
    .kind.active {
      color: #fff;
      background: #1668dc;
      border-color: #1668dc;
    }
    .hits {
      list-style: none;
      padding: 0;
      margin: 0 0 12px;
    }
    .hit {
      background: #fff;
      padding: 12px 16px;
      margin-bottom: 8px;
      border-radius: 4px;
      overflow-wrap: anywhere;
    }
    .head {
      display: flex;
      align-items: baseline;
      gap: 4px;
    }
    .title {
      font-size: 16px;
      font-weight: 500;
    }
    .snippet {
      margin: 6px 0;
      color: #434343;
    }
    .meta {
      display: flex;
      flex-wrap: wrap;
      gap: 4px 16px;
      color: #595959;
      font-size: 13px;
    }
    .error {
      color: #cf1322;
    }
    .hint {
      color: #595959;
    }
  `,
})
export class SearchPage {
  private readonly api = inject(Api);
  private readonly router = inject(Router);
  protected readonly kinds = SEARCH_KINDS;
  protected readonly labels = SEARCH_KIND_LABELS;
  protected readonly minLength = SEARCH_MIN_LENGTH;
  protected readonly maxLength = SEARCH_MAX_LENGTH;
  protected readonly pageSize = PAGE_SIZE;
  protected readonly result = signal<SearchResult | null>(null);
  protected readonly error = signal<string | null>(null);
  protected readonly loading = signal(false);
  protected readonly kind = signal<SearchKind | null>(null);
  protected readonly page = signal(1);
  protected draft = '';
  /** The newest request wins: an older answer arriving late is dropped. */
  private generation = 0;

  constructor() {
    inject(ActivatedRoute)
      .queryParamMap.pipe(takeUntilDestroyed())
      .subscribe((params) => {
        const q = params.get('q') ?? '';
        const kind = params.get('kind');
        this.draft = q;
        this.kind.set(
          (SEARCH_KINDS as readonly string[]).includes(kind ?? '') ? (kind as SearchKind) : null,
        );
        this.page.set(Math.max(1, Number(params.get('page')) || 1));
        void this.load(q);
      });
  }

  protected all(r: SearchResult): number {
    return Object.values(r.counts).reduce((a, b) => a + b, 0);
  }

  submit(): void {
    void this.router.navigate([], { queryParams: { q: this.draft.trim(), kind: this.kind() } });
  }

  goTo(page: number): void {
    void this.router.navigate([], { queryParams: { page }, queryParamsHandling: 'merge' });
  }

  private async load(q: string): Promise<void> {
    const generation = ++this.generation;
    this.error.set(null);
    if (q.trim().length === 0) {
      this.result.set(null);
      return;
    }
    this.loading.set(true);
    try {
      const result = await this.api.get<SearchResult>('/search', {
        q,
        kind: this.kind(),
        limit: PAGE_SIZE,
        offset: (this.page() - 1) * PAGE_SIZE,
      });
      if (generation === this.generation) this.result.set(result);
    } catch (error) {
      if (generation !== this.generation) return;
      this.result.set(null);
      this.error.set(error instanceof ApiError ? error.message : '搜索失败，请稍后重试');
    } finally {
      if (generation === this.generation) this.loading.set(false);
    }
  }
}
