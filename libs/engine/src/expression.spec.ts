import { ExpressionError, resolveTemplate, scopeOf } from './expression';

const evaluate = (text: string, variables: Record<string, unknown> = {}) =>
  resolveTemplate(text, scopeOf(variables, { double: (n) => Number(n) * 2 }));

describe('JUEL expressions', () => {
  it.each([
    ['${amount > 100 && !urgent}', { amount: 150, urgent: false }, true],
    ['${amount gt 100 and urgent}', { amount: 150, urgent: false }, false],
    ['${level == "省级" || level eq \'部级\'}', { level: '部级' }, true],
    ['${a.b.c * 2 + 1}', { a: { b: { c: 4 } } }, 9],
    ['${list[1]}', { list: ['x', 'y'] }, 'y'],
    ['${empty signers}', { signers: [] }, true],
    ['${not empty comment}', { comment: '同意' }, true],
    ['${missing == null}', {}, true],
    ['${x > 1 ? "多" : "少"}', { x: 3 }, '多'],
    ['${double(21)}', {}, 42],
    ['${10 div 4}', {}, 2.5],
    ['第 ${n} 号', { n: 7 }, '第 7 号'],
    ['plain text', {}, 'plain text'],
  ])('%s with %j is %j', (text, variables, expected) => {
    expect(evaluate(text, variables)).toEqual(expected);
  });

  it.each([
    ['${constructor}', /不允许/],
    ['${a.__proto__}', /不允许/],
    ['${a.constructor}', /不允许/],
    ['${process.exit()}', /未提供的函数|意外|多余/],
    ['${eval("1")}', /未提供的函数/],
    ['${a +}', /表达式不完整/],
    ['${1 / 0}', /除以零/],
  ])('refuses %s', (text, message) => {
    expect(() => evaluate(text, { a: {} })).toThrow(ExpressionError);
    expect(() => evaluate(text, { a: {} })).toThrow(message);
  });

  it('never calls a function found in the variables', () => {
    let called = false;
    const value = evaluate('${f}', { f: () => (called = true) });
    expect(value).toBeNull();
    expect(called).toBe(false);
  });
});
