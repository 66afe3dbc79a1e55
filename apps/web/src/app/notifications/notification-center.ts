import { Injectable, computed, inject, signal } from '@angular/core';
import type {
  InAppNotification,
  NotificationPage,
  NotificationPreferences,
  NotificationStreamEvent,
} from '@zhengwu/contracts';
import { Api } from '../core/api';

const PAGE = 20;
const MAX_BACKOFF_MS = 30_000;

/**
 * The signed-in person's bell: the list, the unread count, and the live stream. EventSource cannot send
 * the Bearer token, so each (re)connection first asks for a one-use stream ticket; a dropped stream
 * reconnects with a growing pause and then reloads the count, so nothing missed while away stays unseen.
 */
@Injectable({ providedIn: 'root' })
export class NotificationCenter {
  private readonly api = inject(Api);
  private source: EventSource | null = null;
  private retry: ReturnType<typeof setTimeout> | null = null;
  private backoff = 1_000;
  private running = false;

  readonly unread = signal(0);
  readonly items = signal<InAppNotification[]>([]);
  readonly total = signal(0);
  readonly loading = signal(false);
  /** The stream is open (the count updates by itself). */
  readonly live = signal(false);
  readonly hasMore = computed(() => this.items().length < this.total());

  start(): void {
    if (this.running) return;
    this.running = true;
    // A failed first load (say, before the password change) is retried with the stream.
    void this.refresh().catch(() => undefined);
    void this.connect();
  }

  stop(): void {
    this.running = false;
    if (this.retry) clearTimeout(this.retry);
    this.retry = null;
    this.source?.close();
    this.source = null;
    this.live.set(false);
  }

  /** The first page again (unread first), with the count. */
  async refresh(): Promise<void> {
    this.loading.set(true);
    try {
      const page = await this.api.get<NotificationPage>('/me/notifications', { limit: PAGE });
      this.items.set(page.items);
      this.total.set(page.total);
      this.unread.set(page.unread);
    } finally {
      this.loading.set(false);
    }
  }

  async loadMore(): Promise<void> {
    this.loading.set(true);
    try {
      const page = await this.api.get<NotificationPage>('/me/notifications', {
        limit: PAGE,
        offset: this.items().length,
      });
      const known = new Set(this.items().map((n) => n.id));
      this.items.update((items) => [...items, ...page.items.filter((n) => !known.has(n.id))]);
      this.total.set(page.total);
      this.unread.set(page.unread);
    } finally {
      this.loading.set(false);
    }
  }

  async markRead(notification: InAppNotification): Promise<void> {
    if (notification.readAt) return;
    const res = await this.api.post<{ notification: InAppNotification; unread: number }>(
      `/me/notifications/${notification.id}/read`,
    );
    this.items.update((items) =>
      items.map((n) => (n.id === notification.id ? res.notification : n)),
    );
    this.unread.set(res.unread);
  }

  async markAllRead(): Promise<void> {
    const res = await this.api.post<{ unread: number }>('/me/notifications/read-all');
    const now = new Date().toISOString();
    this.items.update((items) => items.map((n) => (n.readAt ? n : { ...n, readAt: now })));
    this.unread.set(res.unread);
  }

  preferences(): Promise<NotificationPreferences> {
    return this.api.get<NotificationPreferences>('/me/notifications/preferences');
  }

  savePreferences(preferences: NotificationPreferences): Promise<NotificationPreferences> {
    return this.api.put<NotificationPreferences>('/me/notifications/preferences', preferences);
  }

  private async connect(): Promise<void> {
    if (!this.running) return;
    let ticket: string;
    try {
      ticket = (await this.api.post<{ ticket: string }>('/me/notifications/stream-ticket')).ticket;
    } catch {
      return this.reconnectLater();
    }
    if (!this.running) return;
    const source = new EventSource(
      `/api/me/notifications/stream?ticket=${encodeURIComponent(ticket)}`,
    );
    this.source = source;
    source.onopen = () => {
      this.backoff = 1_000;
      this.live.set(true);
    };
    source.addEventListener('unread', (event) => {
      this.unread.set(parse(event).unread);
    });
    source.addEventListener('notification', (event) => {
      const data = parse(event);
      this.unread.set(data.unread);
      const notification = data.notification;
      if (!notification) return;
      this.items.update((items) => [
        notification,
        ...items.filter((n) => n.id !== notification.id),
      ]);
      this.total.update((total) => total + 1);
    });
    // A ticket opens one stream only: the browser's own retry would be refused, so every drop takes a new ticket.
    source.onerror = () => {
      source.close();
      if (this.source === source) this.source = null;
      this.live.set(false);
      this.reconnectLater();
    };
  }

  private reconnectLater(): void {
    if (!this.running || this.retry) return;
    const wait = this.backoff;
    this.backoff = Math.min(this.backoff * 2, MAX_BACKOFF_MS);
    this.retry = setTimeout(() => {
      this.retry = null;
      if (!this.running) return;
      // Whatever arrived while the stream was down is in the list and the count again.
      void this.refresh().catch(() => undefined);
      void this.connect();
    }, wait);
  }
}

function parse(event: Event): NotificationStreamEvent {
  return JSON.parse((event as MessageEvent<string>).data) as NotificationStreamEvent;
}
