import { DestroyRef, Injectable, inject, signal } from '@angular/core';

/** Below this width the page is laid out for a phone: drawer menu, cards instead of tables. */
export const PHONE_QUERY = '(max-width: 767.98px)';

/** Whether the screen is phone-sized, as a signal that follows rotation and window resizes. */
@Injectable({ providedIn: 'root' })
export class Viewport {
  private readonly query = window.matchMedia(PHONE_QUERY);
  readonly isPhone = signal(this.query.matches);

  constructor() {
    const follow = (event: MediaQueryListEvent) => this.isPhone.set(event.matches);
    this.query.addEventListener('change', follow);
    inject(DestroyRef).onDestroy(() => this.query.removeEventListener('change', follow));
  }
}
