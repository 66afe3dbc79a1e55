/**
 * A safe evaluator for the JUEL-style expressions of Camunda 7 diagrams: `${amount > 100 && !urgent}`.
 * Diagrams are uploaded by administrators, so nothing here may reach JavaScript: no `eval`, no
 * `Function`, no prototype walking, and only the functions listed in the scope can be called.
 *
 * Values are coerced as EL 2.2 (§1.17–1.18) and JUEL do it: String→Boolean by Boolean.valueOf, String→number by
 * parsing (an error when it is not a number), Boolean→number is an error, null is 0 in arithmetic and false in
 * relational comparisons. Known differences from Camunda 7, on purpose:
 * - a variable that is not set is an error as in Camunda (PropertyNotFoundException) when the scope is strict, which
 *   the runtime's is; a diagram may declare the process property `missingVariables=null` to read it as null instead
 *   (the platform's own diagrams test `${x != true}` on variables that are only sometimes set);
 *   `execution.getVariable('x')` reads a missing variable as null either way, as in Camunda;
 * - a condition whose value is a String is coerced by EL rules ("true"/"false") where Camunda insists on a Boolean;
 * - division and modulo by zero are errors (EL gives Infinity/NaN, which no variable can hold);
 * - JSON objects and lists have no equals() of their own: `==` is true only for the same value (EL falls back to
 *   equals(), which is identity for Camunda's JSON values), never for two objects of equal content;
 * - `list.length`/`list.size` as properties are kept from our earlier dialect.
 */

export class ExpressionError extends Error {
  constructor(
    message: string,
    readonly expression: string,
  ) {
    super(message);
    this.name = 'ExpressionError';
  }
}

export type ExpressionFunction = (...args: unknown[]) => unknown;

export interface ExpressionScope {
  /** Looks an identifier up; undefined means "not set" and reads as null, as in JUEL. */
  lookup(name: string): unknown;
  functions?: Readonly<Record<string, ExpressionFunction>>;
  /** A variable that is not set is an error (Camunda 7), not null. */
  strict?: boolean;
}

type Node =
  | { t: 'lit'; v: unknown }
  | { t: 'id'; name: string }
  | { t: 'member'; obj: Node; key: Node }
  | { t: 'call'; name: string; args: Node[] }
  | { t: 'method'; obj: Node; name: string; args: Node[] }
  | { t: 'unary'; op: string; arg: Node }
  | { t: 'binary'; op: string; left: Node; right: Node }
  | { t: 'cond'; test: Node; then: Node; else: Node };

interface Token {
  kind: 'num' | 'str' | 'id' | 'op' | 'end';
  value: string;
  pos: number;
}

const WORD_OPERATORS: Record<string, string> = {
  and: '&&',
  or: '||',
  not: '!',
  eq: '==',
  ne: '!=',
  lt: '<',
  gt: '>',
  le: '<=',
  ge: '>=',
  div: '/',
  mod: '%',
  empty: 'empty',
};
const SYMBOLS = ['&&', '||', '==', '!=', '<=', '>=', '<', '>', '+', '-', '*', '/', '%', '!', '(', ')', '[', ']', '.', ',', '?', ':'];
/** The methods Camunda users write on Strings and collections; each is implemented below, none is looked up on the value. */
const STRING_METHODS = new Set([
  'startsWith',
  'endsWith',
  'contains',
  'equals',
  'equalsIgnoreCase',
  'length',
  'isEmpty',
  'toUpperCase',
  'toLowerCase',
  'trim',
  'substring',
  'indexOf',
]);
const COLLECTION_METHODS = new Set(['size', 'isEmpty', 'contains']);
const ALLOWED_METHODS = new Set([...STRING_METHODS, ...COLLECTION_METHODS]);
const FORBIDDEN_KEYS = new Set(['__proto__', 'prototype', 'constructor', '__defineGetter__', '__defineSetter__', '__lookupGetter__']);

function tokenize(source: string, whole: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const c = source[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (/[0-9]/.test(c)) {
      const m = /^[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(source.slice(i));
      tokens.push({ kind: 'num', value: m![0], pos: i });
      i += m![0].length;
      continue;
    }
    if (c === "'" || c === '"') {
      let j = i + 1;
      let text = '';
      while (j < source.length && source[j] !== c) {
        if (source[j] === '\\' && j + 1 < source.length) j++;
        text += source[j];
        j++;
      }
      if (j >= source.length) throw new ExpressionError(`表达式中的字符串没有结束引号（位置 ${i + 1}）`, whole);
      tokens.push({ kind: 'str', value: text, pos: i });
      i = j + 1;
      continue;
    }
    if (/[A-Za-z_$\u4e00-\u9fff]/.test(c)) {
      const m = /^[A-Za-z_$\u4e00-\u9fff][A-Za-z0-9_$\u4e00-\u9fff]*/.exec(source.slice(i));
      const word = m![0];
      if (Object.prototype.hasOwnProperty.call(WORD_OPERATORS, word)) tokens.push({ kind: 'op', value: WORD_OPERATORS[word], pos: i });
      else tokens.push({ kind: 'id', value: word, pos: i });
      i += word.length;
      continue;
    }
    const symbol = SYMBOLS.find((s) => source.startsWith(s, i));
    if (!symbol) throw new ExpressionError(`表达式中有无法识别的字符 “${c}”（位置 ${i + 1}）`, whole);
    tokens.push({ kind: 'op', value: symbol, pos: i });
    i += symbol.length;
  }
  tokens.push({ kind: 'end', value: '', pos: source.length });
  return tokens;
}

class Parser {
  private i = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly whole: string,
  ) {}

  parse(): Node {
    const node = this.conditional();
    const rest = this.peek();
    if (rest.kind !== 'end') this.fail(`多余的 “${rest.value}”`, rest);
    return node;
  }

  private peek(): Token {
    return this.tokens[this.i];
  }

  private next(): Token {
    return this.tokens[this.i++];
  }

  private isOp(value: string): boolean {
    const t = this.peek();
    return t.kind === 'op' && t.value === value;
  }

  private expect(value: string): void {
    if (!this.isOp(value)) this.fail(`此处应为 “${value}”`, this.peek());
    this.i++;
  }

  private fail(message: string, token: Token): never {
    throw new ExpressionError(`表达式 ${this.whole} 有误：${message}（位置 ${token.pos + 1}）`, this.whole);
  }

  private conditional(): Node {
    const test = this.binary(0);
    if (!this.isOp('?')) return test;
    this.i++;
    const then = this.conditional();
    this.expect(':');
    return { t: 'cond', test, then, else: this.conditional() };
  }

  private static readonly LEVELS = [['||'], ['&&'], ['==', '!='], ['<', '>', '<=', '>='], ['+', '-'], ['*', '/', '%']];

  private binary(level: number): Node {
    if (level >= Parser.LEVELS.length) return this.unary();
    let left = this.binary(level + 1);
    while (this.peek().kind === 'op' && Parser.LEVELS[level].includes(this.peek().value)) {
      const op = this.next().value;
      left = { t: 'binary', op, left, right: this.binary(level + 1) };
    }
    return left;
  }

  private unary(): Node {
    const t = this.peek();
    if (t.kind === 'op' && (t.value === '!' || t.value === '-' || t.value === 'empty')) {
      this.i++;
      return { t: 'unary', op: t.value, arg: this.unary() };
    }
    return this.postfix();
  }

  private postfix(): Node {
    let node = this.primary();
    for (;;) {
      if (this.isOp('.')) {
        this.i++;
        const name = this.next();
        if (name.kind !== 'id') this.fail('“.” 之后应为属性名', name);
        if (this.isOp('(')) node = { t: 'method', obj: node, name: name.value, args: this.methodArgs(node, name) };
        else node = { t: 'member', obj: node, key: { t: 'lit', v: name.value } };
      } else if (this.isOp('[')) {
        this.i++;
        const key = this.conditional();
        this.expect(']');
        node = { t: 'member', obj: node, key };
      } else {
        return node;
      }
    }
  }

  /** Method names are checked here, so a diagram calling anything off the allow-list is refused at deployment. */
  private methodArgs(target: Node, name: Token): Node[] {
    const isExecution = target.t === 'id' && target.name === 'execution';
    if (isExecution ? name.value !== 'getVariable' : !ALLOWED_METHODS.has(name.value))
      this.fail(
        `不允许调用方法 ${name.value}()；可用的方法：${isExecution ? 'execution.getVariable' : [...ALLOWED_METHODS].join('、')}`,
        name,
      );
    this.expect('(');
    const args: Node[] = [];
    if (!this.isOp(')')) {
      args.push(this.conditional());
      while (this.isOp(',')) {
        this.i++;
        args.push(this.conditional());
      }
    }
    this.expect(')');
    return args;
  }

  private primary(): Node {
    const t = this.next();
    switch (t.kind) {
      case 'num':
        return { t: 'lit', v: Number(t.value) };
      case 'str':
        return { t: 'lit', v: t.value };
      case 'id': {
        if (t.value === 'true') return { t: 'lit', v: true };
        if (t.value === 'false') return { t: 'lit', v: false };
        if (t.value === 'null') return { t: 'lit', v: null };
        if (!this.isOp('(')) return { t: 'id', name: t.value };
        this.i++;
        const args: Node[] = [];
        if (!this.isOp(')')) {
          args.push(this.conditional());
          while (this.isOp(',')) {
            this.i++;
            args.push(this.conditional());
          }
        }
        this.expect(')');
        return { t: 'call', name: t.value, args };
      }
      case 'op':
        if (t.value === '(') {
          const inner = this.conditional();
          this.expect(')');
          return inner;
        }
        return this.fail(`意外的 “${t.value}”`, t);
      default:
        return this.fail('表达式不完整', t);
    }
  }
}

const cache = new Map<string, Node>();

/** Parses the inside of one `${...}`; parsed trees are cached because diagrams repeat the same few conditions. */
export function parseExpression(body: string, whole = `\${${body}}`): Node {
  let node = cache.get(body);
  if (!node) {
    node = new Parser(tokenize(body, whole), whole).parse();
    if (cache.size > 5000) cache.clear();
    cache.set(body, node);
  }
  return node;
}

function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return `字符串 “${value}”`;
  if (typeof value === 'number') return `数字 ${value}`;
  if (typeof value === 'boolean') return `布尔值 ${value}`;
  return Array.isArray(value) ? '列表' : '对象';
}

function coercionError(value: unknown, target: string, expression: string): ExpressionError {
  return new ExpressionError(`表达式 ${expression} 中的${describeValue(value)}不能转换为${target}`, expression);
}

/** EL: null and "" are 0, a String is parsed, a Boolean or an object cannot become a number. */
function toNumber(value: unknown, expression: string): number {
  if (typeof value === 'number') return value;
  if (value === null || value === undefined || value === '') return 0;
  if (typeof value === 'string' && /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/.test(value)) return Number(value);
  throw coercionError(value, '数字', expression);
}

/** EL: null and "" are false, a String is Boolean.valueOf (only "true", in any case, is true), anything else is an error. */
export function toBoolean(value: unknown, expression: string): boolean {
  if (typeof value === 'boolean') return value;
  if (value === null || value === undefined || value === '') return false;
  if (typeof value === 'string') return value.toLowerCase() === 'true';
  throw coercionError(value, '布尔值', expression);
}

function toText(value: unknown, expression: string): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw coercionError(value, '字符串', expression);
}

function isEmpty(value: unknown): boolean {
  if (value === null || value === undefined || value === '') return true;
  if (Array.isArray(value)) return value.length === 0;
  if (typeof value === 'object') return Object.keys(value).length === 0;
  return false;
}

const isObject = (value: unknown): boolean => typeof value === 'object' && value !== null;

/** EL's `==`, in its order: same value, null, numbers, booleans, strings, then equals() (identity for JSON values). */
function equals(a: unknown, b: unknown, expression: string): boolean {
  if (a === b) return true;
  const left = a ?? null;
  const right = b ?? null;
  if (left === null || right === null) return left === right;
  if (typeof left === 'number' || typeof right === 'number') return toNumber(left, expression) === toNumber(right, expression);
  if (typeof left === 'boolean' || typeof right === 'boolean') return toBoolean(left, expression) === toBoolean(right, expression);
  // A String against an object: EL compares the object's toString(), which never reads like a JSON value; say unequal.
  if (isObject(left) || isObject(right)) return false;
  return toText(left, expression) === toText(right, expression);
}

/** EL's `<` family: null is never ordered, numbers before strings, anything else is an error. */
function compare(op: string, a: unknown, b: unknown, expression: string): boolean {
  if (a === b) return op === '<=' || op === '>=';
  if (a === null || a === undefined || b === null || b === undefined) return false;
  let order: number;
  if (typeof a === 'number' || typeof b === 'number') order = toNumber(a, expression) - toNumber(b, expression);
  else if (typeof a === 'string' || typeof b === 'string') {
    const x = toText(a, expression);
    const y = toText(b, expression);
    order = x < y ? -1 : x > y ? 1 : 0;
  } else if (typeof a === 'boolean' && typeof b === 'boolean') order = Number(a) - Number(b);
  else throw new ExpressionError(`表达式 ${expression} 不能比较${describeValue(a)}与${describeValue(b)}的大小`, expression);
  if (op === '<') return order < 0;
  if (op === '>') return order > 0;
  if (op === '<=') return order <= 0;
  return order >= 0;
}

function arithmetic(op: string, a: unknown, b: unknown, expression: string): number {
  const x = toNumber(a, expression);
  const y = toNumber(b, expression);
  switch (op) {
    case '+':
      return x + y;
    case '-':
      return x - y;
    case '*':
      return x * y;
    default:
      if (y === 0) throw new ExpressionError(`表达式 ${expression} 除以零`, expression);
      return op === '/' ? x / y : x % y;
  }
}

function member(obj: unknown, key: unknown, expression: string): unknown {
  if (obj === null || obj === undefined) return null;
  if (Array.isArray(obj)) {
    if (key === 'length' || key === 'size') return obj.length;
    const index = toNumber(key, expression);
    return obj[index] ?? null;
  }
  if (typeof obj === 'string' && (key === 'length' || key === 'size')) return obj.length;
  if (typeof obj !== 'object') return null;
  const name = String(key);
  if (FORBIDDEN_KEYS.has(name)) throw new ExpressionError(`表达式 ${expression} 不允许访问属性 ${name}`, expression);
  // Own data properties only: nothing inherited, nothing callable.
  if (!Object.prototype.hasOwnProperty.call(obj, name)) return null;
  const value = (obj as Record<string, unknown>)[name];
  return typeof value === 'function' ? null : (value ?? null);
}

function integerArgument(value: unknown, expression: string): number {
  const n = toNumber(value, expression);
  if (!Number.isInteger(n)) throw coercionError(value, '整数', expression);
  return n;
}

function stringMethod(target: string, name: string, args: unknown[], expression: string): unknown {
  const text = (i: number): string => toText(args[i], expression);
  switch (name) {
    case 'startsWith':
      return target.startsWith(text(0));
    case 'endsWith':
      return target.endsWith(text(0));
    case 'contains':
      return target.includes(text(0));
    case 'equals':
      return typeof args[0] === 'string' && target === args[0];
    case 'equalsIgnoreCase':
      return typeof args[0] === 'string' && target.toLowerCase() === args[0].toLowerCase();
    case 'length':
      return target.length;
    case 'isEmpty':
      return target.length === 0;
    case 'toUpperCase':
      return target.toUpperCase();
    case 'toLowerCase':
      return target.toLowerCase();
    case 'trim':
      return target.trim();
    case 'indexOf':
      return target.indexOf(text(0));
    default: {
      // substring(begin[, end]) throws on a bad range, as Java's does.
      const begin = integerArgument(args[0], expression);
      const end = args.length > 1 ? integerArgument(args[1], expression) : target.length;
      if (begin < 0 || end > target.length || begin > end)
        throw new ExpressionError(`表达式 ${expression} 中 substring(${begin}, ${end}) 超出字符串长度 ${target.length}`, expression);
      return target.substring(begin, end);
    }
  }
}

function collectionMethod(target: unknown[], name: string, args: unknown[], expression: string): unknown {
  if (name === 'size') return target.length;
  if (name === 'isEmpty') return target.length === 0;
  return target.some((item) => equals(item, args[0], expression));
}

function callMethod(node: Extract<Node, { t: 'method' }>, scope: ExpressionScope, expression: string): unknown {
  const args = node.args.map((a) => evaluateNode(a, scope, expression));
  const arity =
    node.name === 'substring'
      ? [1, 2]
      : ['length', 'isEmpty', 'size', 'toUpperCase', 'toLowerCase', 'trim'].includes(node.name)
        ? [0, 0]
        : [1, 1];
  if (args.length < arity[0] || args.length > arity[1])
    throw new ExpressionError(`表达式 ${expression} 中 ${node.name}() 的参数个数不对`, expression);
  if (node.obj.t === 'id' && node.obj.name === 'execution') {
    // execution.getVariable('x') reads a variable of the case, like the bare name x.
    const value = scope.lookup(toText(args[0], expression));
    return typeof value === 'function' ? null : (value ?? null);
  }
  const target = evaluateNode(node.obj, scope, expression);
  if (typeof target === 'string' && STRING_METHODS.has(node.name)) return stringMethod(target, node.name, args, expression);
  if (Array.isArray(target) && COLLECTION_METHODS.has(node.name)) return collectionMethod(target, node.name, args, expression);
  if (target === null || target === undefined)
    throw new ExpressionError(`表达式 ${expression} 对空值（null）调用了 ${node.name}()`, expression);
  throw new ExpressionError(`表达式 ${expression} 中${describeValue(target)}没有方法 ${node.name}()`, expression);
}

function evaluateNode(node: Node, scope: ExpressionScope, expression: string): unknown {
  switch (node.t) {
    case 'lit':
      return node.v;
    case 'id': {
      if (FORBIDDEN_KEYS.has(node.name)) throw new ExpressionError(`表达式 ${expression} 不允许使用 ${node.name}`, expression);
      const value = scope.lookup(node.name);
      if (value === undefined && scope.strict)
        throw new ExpressionError(
          `表达式 ${expression} 中的变量 ${node.name} 未设置（Camunda 7 同样拒绝）；请先设置它，或用 execution.getVariable('${node.name}') 读取可能缺失的变量`,
          expression,
        );
      // A variable that is not set reads as null in a lenient scope, see the header.
      return typeof value === 'function' ? null : (value ?? null);
    }
    case 'member':
      return member(evaluateNode(node.obj, scope, expression), evaluateNode(node.key, scope, expression), expression);
    case 'method':
      return callMethod(node, scope, expression);
    case 'call': {
      const fn =
        scope.functions && Object.prototype.hasOwnProperty.call(scope.functions, node.name) ? scope.functions[node.name] : undefined;
      if (!fn) throw new ExpressionError(`表达式 ${expression} 调用了未提供的函数 ${node.name}()`, expression);
      return fn(...node.args.map((a) => evaluateNode(a, scope, expression)));
    }
    case 'unary': {
      const value = evaluateNode(node.arg, scope, expression);
      if (node.op === '!') return !toBoolean(value, expression);
      if (node.op === 'empty') return isEmpty(value);
      return -toNumber(value, expression);
    }
    case 'cond':
      return toBoolean(evaluateNode(node.test, scope, expression), expression)
        ? evaluateNode(node.then, scope, expression)
        : evaluateNode(node.else, scope, expression);
    case 'binary': {
      if (node.op === '&&')
        return (
          toBoolean(evaluateNode(node.left, scope, expression), expression) &&
          toBoolean(evaluateNode(node.right, scope, expression), expression)
        );
      if (node.op === '||')
        return (
          toBoolean(evaluateNode(node.left, scope, expression), expression) ||
          toBoolean(evaluateNode(node.right, scope, expression), expression)
        );
      const a = evaluateNode(node.left, scope, expression);
      const b = evaluateNode(node.right, scope, expression);
      if (node.op === '==') return equals(a, b, expression);
      if (node.op === '!=') return !equals(a, b, expression);
      if (['<', '>', '<=', '>='].includes(node.op)) return compare(node.op, a, b, expression);
      // EL: null + null is 0 as well.
      return arithmetic(node.op, a, b, expression);
    }
  }
}

const SINGLE = /^\s*[$#]\{((?:[^}'"]|'[^']*'|"[^"]*")*)\}\s*$/s;
const TEMPLATE = /[$#]\{((?:[^}'"]|'[^']*'|"[^"]*")*)\}/g;

export function isExpression(text: unknown): boolean {
  return typeof text === 'string' && /^\s*[$#]\{.*\}\s*$/s.test(text);
}

export function hasExpression(text: unknown): boolean {
  return typeof text === 'string' && /[$#]\{/.test(text);
}

/**
 * Resolves a text that may hold `${...}` parts. A text that is exactly one expression returns its
 * value with its type; otherwise each part is replaced by its text.
 */
export function resolveTemplate(text: string, scope: ExpressionScope): unknown {
  const whole = SINGLE.exec(text);
  if (whole) return evaluateNode(parseExpression(whole[1], text.trim()), scope, text.trim());
  if (!hasExpression(text)) return text;
  return text.replace(TEMPLATE, (part, body: string) => {
    const value = evaluateNode(parseExpression(body, part), scope, part);
    return value === null || value === undefined ? '' : String(value);
  });
}

/** Checks every `${...}` of a text parses; used at deployment so a typo fails there, not in a running case. */
export function checkTemplate(text: string): void {
  for (const match of text.matchAll(TEMPLATE)) parseExpression(match[1], match[0]);
  const opened = (text.match(/[$#]\{/g) ?? []).length;
  const closed = [...text.matchAll(TEMPLATE)].length;
  if (opened !== closed) throw new ExpressionError(`表达式 ${text} 缺少右花括号 }`, text);
}

export function scopeOf(variables: Readonly<Record<string, unknown>>, functions?: Record<string, ExpressionFunction>): ExpressionScope {
  return {
    lookup: (name) => (Object.prototype.hasOwnProperty.call(variables, name) ? variables[name] : undefined),
    functions,
  };
}

/**
 * Evaluates a condition (a sequence flow's, a completion condition): exactly one `${...}` whose value EL coerces to
 * Boolean. Text around the expression, or a value that is not a Boolean, a String or null, is an error naming
 * `where` (the flow), never a silent true.
 */
export function evaluateCondition(text: string, scope: ExpressionScope, where: string): boolean {
  const whole = SINGLE.exec(text);
  if (!whole) throw new ExpressionError(`${where}的条件 “${text.trim()}” 须是单个 \${...} 表达式，表达式外不能有文字`, text);
  const expression = text.trim();
  const value = evaluateNode(parseExpression(whole[1], expression), scope, expression);
  if (typeof value === 'number' || isObject(value))
    throw new ExpressionError(`${where}的条件 ${expression} 的值是${describeValue(value)}，不是布尔值`, expression);
  return toBoolean(value, expression);
}

/** Checks a condition at deployment: one expression, nothing around it. */
export function checkCondition(text: string): void {
  const whole = SINGLE.exec(text);
  if (!whole) throw new ExpressionError(`条件 “${text.trim()}” 须是单个 \${...} 表达式，表达式外不能有文字`, text);
  parseExpression(whole[1], text.trim());
}
