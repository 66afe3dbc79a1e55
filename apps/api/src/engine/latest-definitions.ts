import { NotifiedCache } from '../platform/notified-cache';
import type { PgListener } from '../platform/pg-listener';

/** The channel a deployment notifies (with its key) when its transaction commits, in whichever api process it ran. */
export const DEFINITION_DEPLOYED_CHANNEL = 'zw_definition_deployed';

/**
 * The latest version of each process key this api process started, so a start does not read it again (a start
 * through HTTP read it twice: for the start form, then for the start). Kept only while this process listens on
 * DEFINITION_DEPLOYED_CHANNEL: a deployment on any api process notifies it at commit and every listening process
 * forgets what it kept. Without the listener (not yet connected, connection lost) nothing is kept and every start
 * reads the latest version. A notification still on its way cannot start an old version either: the start's own
 * INSERT refuses when a newer version of the key is committed (EngineService.startIn), which then forgets the key and
 * reads it again. Built on platform/notified-cache.ts, as the session cache is.
 */
export class LatestDefinitions<Row extends object> extends NotifiedCache<Row> {
  constructor(listener: PgListener) {
    super(listener, {
      channel: DEFINITION_DEPLOYED_CHANNEL,
      ttlMs: Infinity,
      maxEntries: 1_000,
      lostMessage: 'definition cache listener lost; every start reads the latest version until it is back',
    });
  }
}
