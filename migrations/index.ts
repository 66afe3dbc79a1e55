import { Foundation1764028800000 } from './1764028800000-foundation';

/** Every migration, in order. New ones are appended; merged ones are never edited. */
export const migrations = [Foundation1764028800000];
