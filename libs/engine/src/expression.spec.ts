import { checkCondition, checkTemplate, evaluateCondition, ExpressionError, resolveTemplate, scopeOf } from './expression';
import { ProcessRunError } from './runtime';
import { Case, diagram } from './testing/case';

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
    ['${process.exit()}', /不允许调用方法 exit/],
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

  describe('given a condition, coerced to Boolean as EL does (Boolean.valueOf for a String)', () => {
    const condition = (text: string, variables: Record<string, unknown>) => evaluateCondition(text, scopeOf(variables), '连线 f1 ');

    it.each([
      ['${approved}', 'false', false],
      ['${approved}', 'true', true],
      ['${approved}', 'TRUE', true],
      ['${approved}', 'yes', false],
      ['${approved}', '1', false],
      ['${approved}', '', false],
      ['${approved}', true, true],
      ['${!approved}', 'false', true],
      ['${!approved}', 'true', false],
      ['${not approved}', 'yes', true],
      ['${approved == true}', 'true', true],
      ['${approved && true}', 'false', false],
    ])('%s with approved = %j is %j', (text, approved, expected) => {
      expect(condition(text, { approved })).toBe(expected);
    });

    it('reads an absent variable as null, so false — not an error (our diagrams rely on it; Camunda would refuse)', () => {
      expect(condition('${approved}', {})).toBe(false);
      expect(condition('${!approved}', {})).toBe(true);
    });

    it.each([
      ['${x}', { x: 1 }, /连线 f1 的条件 \$\{x\} 的值是数字 1，不是布尔值/],
      ['${x}', { x: { a: 1 } }, /不是布尔值/],
      ['${x}', { x: ['a'] }, /不是布尔值/],
      ['${!x}', { x: 0 }, /数字 0不能转换为布尔值/],
      ['${x && true}', { x: 2 }, /不能转换为布尔值/],
      ['a ${x} b', { x: true }, /连线 f1 的条件 “a \$\{x\} b” 须是单个/],
      ['${x} ${x}', { x: true }, /须是单个/],
      ['true', {}, /须是单个/],
    ])('refuses %s with %j, naming the flow', (text, variables, message) => {
      expect(() => condition(text, variables)).toThrow(ExpressionError);
      expect(() => condition(text, variables)).toThrow(message);
    });

    it('refuses text around a condition at deployment already', () => {
      expect(() => checkCondition('a ${x} b')).toThrow(/须是单个/);
      expect(() => checkCondition(' ${x == 1} ')).not.toThrow();
    });
  });

  describe('given == and != , which compare values as EL does', () => {
    const same = { a: 1 };
    it.each([
      ['${o1 == o2}', { o1: { a: 1 }, o2: { a: 1 } }, false],
      ['${o1 == o2}', { o1: { a: 1 }, o2: { b: 2 } }, false],
      ['${o1 != o2}', { o1: { a: 1 }, o2: { b: 2 } }, true],
      ['${o1 == o2}', { o1: same, o2: same }, true],
      ['${l1 == l2}', { l1: [1], l2: [1] }, false],
      ['${o1 == "[object Object]"}', { o1: { a: 1 } }, false],
      ['${n == "1"}', { n: 1 }, true],
      ['${n eq 1.0}', { n: 1 }, true],
      ['${s == 10}', { s: '10.0' }, true],
      ['${b == "true"}', { b: true }, true],
      ['${b == "yes"}', { b: true }, false],
      ['${s ne "甲"}', { s: '乙' }, true],
      ['${missing == null}', {}, true],
      ['${missing == 0}', {}, false],
      ['${missing == ""}', {}, false],
      ['${missing == false}', {}, false],
      ['${missing != true}', {}, true],
    ])('%s with %j is %j', (text, variables, expected) => {
      expect(evaluate(text, variables)).toBe(expected);
    });

    it.each([
      ['${s == 1}', { s: 'abc' }, /字符串 “abc”不能转换为数字/],
      ['${n == true}', { n: 1 }, /布尔值 true不能转换为数字/],
      ['${o == 1}', { o: {} }, /对象不能转换为数字/],
    ])('refuses %s with %j: EL cannot coerce the two sides', (text, variables, message) => {
      expect(() => evaluate(text, variables)).toThrow(message);
    });
  });

  describe('given arithmetic and ordering, coerced as EL does', () => {
    it.each([
      ['${"10" > 9}', {}, true],
      ['${"10" > "9"}', {}, false],
      ['${n < 1}', {}, false],
      ['${n >= 0}', {}, false],
      ['${n + 1}', {}, 1],
      ['${n + m}', {}, 0],
      ['${"2" + 1}', {}, 3],
      ['${"1.5" * 2}', {}, 3],
      ['${7 / 2}', {}, 3.5],
      ['${7 mod 2}', {}, 1],
      ['${-n}', {}, -0],
      ['${x > 1.5}', { x: 2 }, true],
      ['${b > a}', { a: false, b: true }, true],
    ])('%s with %j is %j', (text, variables, expected) => {
      expect(evaluate(text, variables)).toBe(expected);
    });

    it.each([
      ['${"a" + 1}', /字符串 “a”不能转换为数字/],
      ['${true + 1}', /布尔值 true不能转换为数字/],
      ['${o > 1}', /对象不能转换为数字/],
      ['${o > l}', /不能比较对象与列表的大小/],
      ['${5 mod 0}', /除以零/],
    ])('refuses %s', (text, message) => {
      expect(() => evaluate(text, { o: {}, l: [] })).toThrow(message);
    });
  });

  describe('given the methods Camunda users write', () => {
    const vars = { name: ' 张三 ', title: '关于报送材料的通知', list: ['a', 'b'], none: [], n: 3 };
    it.each([
      ['${title.startsWith("关于")}', true],
      ['${title.endsWith("通知")}', true],
      ['${title.contains("报送")}', true],
      ['${title.equals("关于")}', false],
      ['${"Abc".equalsIgnoreCase("aBC")}', true],
      ['${title.length()}', 9],
      ['${"".isEmpty()}', true],
      ['${"abc".toUpperCase()}', 'ABC'],
      ['${"ABC".toLowerCase()}', 'abc'],
      ['${name.trim()}', '张三'],
      ['${title.substring(2)}', '报送材料的通知'],
      ['${title.substring(0, 2)}', '关于'],
      ['${title.indexOf("材料")}', 4],
      ['${list.size()}', 2],
      ['${none.isEmpty()}', true],
      ['${list.contains("b")}', true],
      ['${list.contains("c")}', false],
      ['${execution.getVariable("n") + 1}', 4],
      ['${execution.getVariable("missing") == null}', true],
      ['${name.trim().length() == 2 && list.size() > 1}', true],
    ])('%s is %j', (text, expected) => {
      expect(evaluate(text, vars)).toEqual(expected);
    });

    it.each([
      ['${name.getClass()}', /不允许调用方法 getClass\(\)/],
      ['${name.constructor("x")}', /不允许调用方法 constructor\(\)/],
      ['${list.toString()}', /不允许调用方法 toString\(\)/],
      ['${execution.setVariable("a", 1)}', /不允许调用方法 setVariable\(\)；可用的方法：execution.getVariable/],
      ['${execution.getProcessEngineServices()}', /不允许调用方法/],
    ])('refuses %s at deployment', (text, message) => {
      expect(() => checkTemplate(text)).toThrow(message);
    });

    it.each([
      ['${list.trim()}', /列表没有方法 trim\(\)/],
      ['${n.isEmpty()}', /数字 3没有方法 isEmpty\(\)/],
      ['${missing.trim()}', /对空值（null）调用了 trim\(\)/],
      ['${title.substring(5, 99)}', /超出字符串长度/],
      ['${title.startsWith()}', /参数个数不对/],
    ])('refuses %s when it runs', (text, message) => {
      expect(() => evaluate(text, vars)).toThrow(message);
    });
  });

  describe('given what our own diagrams write', () => {
    const workingDays = (n: unknown) => `+${String(n)}wd`;
    const run = (text: string, variables: Record<string, unknown>) => resolveTemplate(text, scopeOf(variables, { workingDays }));
    it.each([
      ["${outcome == 'approve' && needsCountersign != true}", { outcome: 'approve' }, true],
      ["${outcome == 'approve' && needsCountersign == true}", { outcome: 'approve' }, false],
      ["${outcome == 'reject' || countersignDisagreed == true}", { outcome: 'approve', countersignDisagreed: true }, true],
      [
        "${(outcome == 'approve' || outcome == 'reject') && voteResult == 'undecided'}",
        { outcome: 'reject', voteResult: 'undecided' },
        true,
      ],
      ["${outcome == 'return' && returnTo == 'draft'}", {}, false],
      ['${workingDays(cityDays)}', { cityDays: 5 }, '+5wd'],
      ['${workingDays(5)}', {}, '+5wd'],
      ['Task ${loopCounter}', { loopCounter: 2 }, 'Task 2'],
    ])('%s with %j is %j', (text, variables, expected) => {
      expect(run(text, variables)).toBe(expected);
    });
  });

  describe('given an exclusive gateway whose condition is a String variable', () => {
    const xml = diagram(`
      <startEvent id="start" /><sequenceFlow id="f0" sourceRef="start" targetRef="gw" />
      <exclusiveGateway id="gw" default="fNo" />
      <sequenceFlow id="fYes" sourceRef="gw" targetRef="yes"><conditionExpression xsi:type="tFormalExpression">\${approved}</conditionExpression></sequenceFlow>
      <sequenceFlow id="fNo" sourceRef="gw" targetRef="no" />
      <userTask id="yes" /><userTask id="no" />`);

    it('takes the default flow when approved is the String "false"', async () => {
      const c = await Case.start(xml, { approved: 'false' });
      expect(c.waiting()).toEqual(['userTask:no']);
    });

    it('takes the conditional flow when approved is the String "true"', async () => {
      const c = await Case.start(xml, { approved: 'true' });
      expect(c.waiting()).toEqual(['userTask:yes']);
    });

    it('refuses to start when approved is a number, naming the flow', async () => {
      const started = Case.start(xml, { approved: 1 });
      await expect(started).rejects.toBeInstanceOf(ProcessRunError);
      await expect(Case.start(xml, { approved: 1 })).rejects.toThrow(/连线 fYes 的条件 \$\{approved\} 的值是数字 1，不是布尔值/);
    });
  });
});
