import { ApiError } from '../core/api';

/** The message to show for a failed call: the api's own words, else what to do next. */
export function errorText(error: unknown, fallback: string): string {
  return error instanceof ApiError ? error.message : fallback;
}
