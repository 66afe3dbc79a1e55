import type { DataSource } from 'typeorm';
import { NotificationHub } from './notification-hub';

describe('NotificationHub while the api stops', () => {
  it('ends a stream opened after the stop began at once, and opens no connection for it', async () => {
    // The stop has closed the hub before any stream: no connection was ever opened, and none may be now.
    const hub = new NotificationHub({ options: {} } as DataSource);
    await hub.onModuleDestroy();
    const events: unknown[] = [];
    const off = await hub.subscribe('someone', (event) => events.push(event));
    off();
    expect({ events, streams: hub.streams }).toEqual({ events: [{ close: true }], streams: 0 });
  });
});
