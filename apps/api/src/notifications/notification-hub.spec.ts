import type { DataSource } from 'typeorm';
import { PgListener } from '../platform/pg-listener';
import { NotificationHub } from './notification-hub';

describe('NotificationHub while the api stops', () => {
  it('ends a stream opened after the stop began at once, and opens no connection for it', async () => {
    // The stop has closed the hub before any stream: no connection was ever opened, and none may be now.
    const listener = new PgListener({ options: {} } as DataSource);
    const subscribe = jest.spyOn(listener, 'subscribe');
    const ready = jest.spyOn(listener, 'ready');
    const hub = new NotificationHub(listener);
    await hub.onModuleDestroy();
    const events: unknown[] = [];
    const off = await hub.subscribe('someone', (event) => events.push(event));
    off();
    expect({ events, streams: hub.streams }).toEqual({ events: [{ close: true }], streams: 0 });
    expect([subscribe.mock.calls.length, ready.mock.calls.length]).toEqual([0, 0]);
  });
});
