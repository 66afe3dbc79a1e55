/** Pure rules of 暂存 (no Angular), tested in drafts.logic.spec.ts. */

type Plain = string | number | boolean | null;

/**
 * A kept draft put back into a fresh form: only the form's own fields, each only when its kind matches (text for
 * text, a list of text for a list …), so a draft from an older version of the form or a hand-made one cannot put
 * anything strange into the page.
 */
export function restoreInto<T extends object>(empty: T, payload: Record<string, unknown>): T {
  const out = { ...empty } as Record<string, unknown>;
  for (const [key, blank] of Object.entries(empty)) {
    if (!(key in payload)) continue;
    const value = payload[key];
    if (Array.isArray(blank)) {
      if (Array.isArray(value) && value.every((v) => ['string', 'number'].includes(typeof v)))
        out[key] = [...(value as Plain[])];
    } else if (
      blank === null ||
      typeof blank === 'string' ||
      typeof blank === 'number' ||
      typeof blank === 'boolean'
    ) {
      if (
        value === null ||
        typeof value === typeof blank ||
        (blank === null && ['string', 'number', 'boolean'].includes(typeof value))
      )
        out[key] = value;
    }
  }
  return out as T;
}

/** Whether a form holds anything worth keeping (not all blank). */
export function hasContent(form: object): boolean {
  return Object.values(form).some((v) =>
    Array.isArray(v)
      ? v.length > 0
      : typeof v === 'string'
        ? v.trim() !== ''
        : v !== null && v !== false,
  );
}
