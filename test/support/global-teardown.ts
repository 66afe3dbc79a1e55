export default async function globalTeardown(): Promise<void> {
  await globalThis.__ZW_STOP_PG__?.();
}
