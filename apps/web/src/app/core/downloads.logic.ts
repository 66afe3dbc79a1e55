/** Pure helpers of downloads (no Angular), tested in downloads.logic.spec.ts. */

/** `attachment; filename*=UTF-8''%E7%AB%8B…` → the decoded name. */
export function fileNameOf(disposition: string | null): string | undefined {
  if (!disposition) return undefined;
  const encoded = /filename\*=UTF-8''([^;]+)/i.exec(disposition)?.[1];
  if (encoded) {
    try {
      return decodeURIComponent(encoded);
    } catch {
      return undefined;
    }
  }
  return /filename="?([^";]+)"?/i.exec(disposition)?.[1];
}
