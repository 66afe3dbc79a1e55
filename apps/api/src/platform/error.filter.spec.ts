import { QueryFailedError, QueryRunnerAlreadyReleasedError, QueryRunnerProviderAlreadyReleasedError } from 'typeorm';
import { ErrorFilter } from './error.filter';

const pgError = (message: string, code?: string): Error => Object.assign(new Error(message), code ? { code } : {});

describe('ErrorFilter: a database that is away answers 503, not 500', () => {
  const filter = new ErrorFilter();
  const unavailable = { status: 503, body: { code: 'DATABASE_UNAVAILABLE', message: '数据库暂时不可用，请稍后重试' } };

  it.each([
    ['the pool cannot connect', pgError('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED')],
    ['PostgreSQL refuses connections while it shuts down (57P03)', pgError('the database system is shutting down', '57P03')],
    ['PostgreSQL refuses connections while it starts (57P03)', pgError('the database system is starting up', '57P03')],
    [
      'a session killed by the shutdown (57P01)',
      new QueryFailedError('SELECT 1', [], pgError('terminating connection due to administrator command', '57P01')),
    ],
    ['a query on a connection that dropped', new QueryFailedError('SELECT 1', [], pgError('Connection terminated unexpectedly'))],
    ['a query whose socket was reset', new QueryFailedError('SELECT 1', [], pgError('read ECONNRESET', 'ECONNRESET'))],
    ['too many connections (53300)', pgError('sorry, too many clients already', '53300')],
    ['a transaction whose connection was released after it died', new QueryRunnerProviderAlreadyReleasedError()],
    // Seen in the PostgreSQL-restart fault test: the connection died in a start, its COMMIT met the released runner.
    ['a COMMIT on a runner released after its connection died', new QueryRunnerAlreadyReleasedError()],
  ])('%s', (_what, error) => {
    expect(filter.describe(error)).toEqual(unavailable);
  });

  it('keeps real failures as 500 without details', () => {
    expect(
      filter.describe(new QueryFailedError('INSERT', [], pgError('duplicate key value violates unique constraint', '23505'))).status,
    ).toBe(500);
    expect(filter.describe(new TypeError('x is undefined'))).toEqual({
      status: 500,
      body: { code: 'INTERNAL_ERROR', message: '服务器内部错误，请稍后重试或联系系统管理员' },
    });
  });
});
