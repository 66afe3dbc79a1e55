import { Agent, request, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTestApp, type TestApp } from '../../../../test/support/test-app';

/**
 * A stop must not wait on clients that keep polling over a kept-alive connection: workers of another process (a
 * replica deployment) ask again every few hundred milliseconds, and a fetch answers at once while the api stops, so
 * such a connection is never idle for the server's keep-alive timeout. Seen as an api process that had to be killed.
 */
describe('stopping the HTTP server', () => {
  let t: TestApp | undefined;

  afterAll(async () => {
    await t?.db.drop();
  });

  it('ends with clients still polling on kept-alive connections', async () => {
    t = await createTestApp();
    const server = t.app.getHttpServer() as import('node:http').Server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    let polling = true;
    let answered = 0;
    let closedByServer = 0;
    const answer = (res: IncomingMessage, resolve: () => void): void => {
      if (res.headers.connection === 'close') closedByServer += 1;
      res.resume();
      res.on('end', () => {
        answered += 1;
        resolve();
      });
    };
    // A request still arriving when the stop begins (its body not all sent), so its connection is busy when the server
    // closes; then, as camunda-external-task-client-js does, the next request 20 ms after each answer on the same
    // kept-alive connection, so it is never idle for the server's keep-alive timeout.
    const first = new Promise<void>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port,
          method: 'POST',
          path: '/api/auth/login',
          agent,
          headers: { 'content-type': 'application/json', 'content-length': '44' },
        },
        (res) => answer(res, resolve),
      );
      req.on('error', reject);
      req.write('{"username":"nobody",');
      const finish = setInterval(() => {
        if (server.listening) return;
        clearInterval(finish);
        req.end('"password":"x12345678"}');
      }, 5);
    });
    const poll = async (): Promise<void> => {
      await first;
      while (polling) {
        await new Promise<void>((resolve) => {
          const req = request({ host: '127.0.0.1', port, path: '/api/health', agent }, (res) => answer(res, resolve));
          req.on('error', () => resolve());
          req.end();
        });
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    };
    const poller = poll();
    await new Promise((resolve) => setTimeout(resolve, 200));

    // Generous: without the fix the stop never ends while the pollers poll.
    const stopped = await Promise.race([
      t.app.close().then(() => 'stopped'),
      new Promise<string>((resolve) => setTimeout(() => resolve('still open after 30 s'), 30_000)),
    ]);
    polling = false;
    await poller;
    agent.destroy();
    expect(stopped).toBe('stopped');
    // The request under way was answered, and its connection told to close rather than cut.
    expect({ answered: answered > 0, closedByServer: closedByServer > 0 }).toEqual({ answered: true, closedByServer: true });
  }, 90_000);
});
