/** Types of build-if-stale.js for the TypeScript tests that call it. */
export function buildIfStale(): void;
export const root: string;
