import { Injectable, signal } from '@angular/core';

/** 大字模式: the sizes a person can pick, in percent of the normal type. */
export const TYPE_SIZES = [100, 125, 150] as const;
export type TypeSize = (typeof TYPE_SIZES)[number];

const KEY = 'zw.typeSize';

/**
 * The person's type size (大字模式 for older officials), kept in this browser's localStorage and applied as a class
 * on <html> (styles.css scales the page by it).
 */
@Injectable({ providedIn: 'root' })
export class TypeSizeSetting {
  readonly size = signal<TypeSize>(TypeSizeSetting.stored());

  constructor() {
    this.apply(this.size());
  }

  /** The next size after the current one, back to normal after the largest: one menu item cycles through them. */
  next(): TypeSize {
    const index = TYPE_SIZES.indexOf(this.size());
    return TYPE_SIZES[(index + 1) % TYPE_SIZES.length];
  }

  set(size: TypeSize): void {
    this.size.set(size);
    this.apply(size);
    try {
      localStorage.setItem(KEY, String(size));
    } catch {
      // Private mode or storage full: the size holds for this visit only.
    }
  }

  private apply(size: TypeSize): void {
    const root = document.documentElement.classList;
    for (const s of TYPE_SIZES) root.remove(`zw-type-${s}`);
    if (size !== 100) root.add(`zw-type-${size}`);
  }

  private static stored(): TypeSize {
    let value: number;
    try {
      value = Number(localStorage.getItem(KEY));
    } catch {
      return 100;
    }
    return (TYPE_SIZES as readonly number[]).includes(value) ? (value as TypeSize) : 100;
  }
}
