import { QueryFailedError } from 'typeorm';
import { ErrorFilter } from './error.filter';

const pgError = (message: string, code: string): Error => Object.assign(new Error(message), { code });

describe('ErrorFilter: text PostgreSQL cannot store is the request’s fault (400), not a bug (500)', () => {
  const filter = new ErrorFilter();

  it.each([
    ['a NUL byte in a parameter (22021)', pgError('invalid byte sequence for encoding "UTF8": 0x00', '22021')],
    ['a character without an equivalent in the encoding (22P05)', pgError('unsupported Unicode escape sequence', '22P05')],
  ])('%s', (_what, error) => {
    expect(filter.describe(new QueryFailedError('SELECT 1 WHERE $1', ['a\u0000b'], error))).toEqual({
      status: 400,
      body: { code: 'INVALID_CHARACTERS', message: '提交的内容含有无法保存的字符（如空字符），请删除后重试' },
    });
  });

  it('leaves other data errors alone', () => {
    expect(
      filter.describe(new QueryFailedError('INSERT', [], pgError('value too long for type character varying(10)', '22001'))).status,
    ).toBe(500);
  });
});
