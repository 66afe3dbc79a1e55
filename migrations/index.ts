import { Foundation1764028800000 } from './1764028800000-foundation';
import { Engine1764115200000 } from './1764115200000-engine';
import { HolidaysSeed1764115300000 } from './1764115300000-holidays-seed';
import { TaskOperations1764201600000 } from './1764201600000-task-operations';
import { DemoSeeds1764288000000 } from './1764288000000-demo-seeds';
import { Substitutes1764288500000 } from './1764288500000-substitutes';

/** Every migration, in order. New ones are appended; merged ones are never edited. */
export const migrations = [
  Foundation1764028800000,
  Engine1764115200000,
  HolidaysSeed1764115300000,
  TaskOperations1764201600000,
  DemoSeeds1764288000000,
  Substitutes1764288500000,
];
