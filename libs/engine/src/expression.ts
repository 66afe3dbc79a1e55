/**
 * A safe evaluator for the JUEL-style expressions of Camunda 7 diagrams: `${amount > 100 && !urgent}`.
 * Diagrams are uploaded by administrators, so nothing here may reach JavaScript: no `eval`, no
 * `Function`, no prototype walking, and only the functions listed in the scope can be called.
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
}

type Node =
  | { t: 'lit'; v: unknown }
  | { t: 'id'; name: string }
  | { t: 'member'; obj: Node; key: Node }
  | { t: 'call'; name: string; args: Node[] }
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
        node = { t: 'member', obj: node, key: { t: 'lit', v: name.value } };
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

function toNumber(value: unknown, expression: string): number {
  if (typeof value === 'number') return value;
  if (value === null || value === undefined || value === '') return 0;
  if (typeof value === 'boolean') return value ? 1 : 0;
  const n = Number(value);
  if (Number.isNaN(n)) throw new ExpressionError(`表达式 ${expression} 中的值 “${String(value)}” 不是数字`, expression);
  return n;
}

function truthy(value: unknown): boolean {
  if (typeof value === 'string') return value === 'true';
  return Boolean(value);
}

function isEmpty(value: unknown): boolean {
  if (value === null || value === undefined || value === '') return true;
  if (Array.isArray(value)) return value.length === 0;
  if (typeof value === 'object') return Object.keys(value).length === 0;
  return false;
}

function equals(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || a === undefined || b === null || b === undefined) return (a ?? null) === (b ?? null);
  if (typeof a === 'number' || typeof b === 'number') return toNumberOrNaN(a) === toNumberOrNaN(b);
  if (typeof a === 'boolean' || typeof b === 'boolean') return truthy(a) === truthy(b);
  return String(a) === String(b);
}

function toNumberOrNaN(value: unknown): number {
  if (typeof value === 'boolean') return value ? 1 : 0;
  return Number(value);
}

function compare(a: unknown, b: unknown, expression: string): number {
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  return toNumber(a, expression) - toNumber(b, expression);
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

function evaluateNode(node: Node, scope: ExpressionScope, expression: string): unknown {
  switch (node.t) {
    case 'lit':
      return node.v;
    case 'id': {
      if (FORBIDDEN_KEYS.has(node.name)) throw new ExpressionError(`表达式 ${expression} 不允许使用 ${node.name}`, expression);
      const value = scope.lookup(node.name);
      return typeof value === 'function' ? null : (value ?? null);
    }
    case 'member':
      return member(evaluateNode(node.obj, scope, expression), evaluateNode(node.key, scope, expression), expression);
    case 'call': {
      const fn =
        scope.functions && Object.prototype.hasOwnProperty.call(scope.functions, node.name) ? scope.functions[node.name] : undefined;
      if (!fn) throw new ExpressionError(`表达式 ${expression} 调用了未提供的函数 ${node.name}()`, expression);
      return fn(...node.args.map((a) => evaluateNode(a, scope, expression)));
    }
    case 'unary': {
      const value = evaluateNode(node.arg, scope, expression);
      if (node.op === '!') return !truthy(value);
      if (node.op === 'empty') return isEmpty(value);
      return -toNumber(value, expression);
    }
    case 'cond':
      return truthy(evaluateNode(node.test, scope, expression))
        ? evaluateNode(node.then, scope, expression)
        : evaluateNode(node.else, scope, expression);
    case 'binary': {
      if (node.op === '&&')
        return truthy(evaluateNode(node.left, scope, expression)) && truthy(evaluateNode(node.right, scope, expression));
      if (node.op === '||')
        return truthy(evaluateNode(node.left, scope, expression)) || truthy(evaluateNode(node.right, scope, expression));
      const a = evaluateNode(node.left, scope, expression);
      const b = evaluateNode(node.right, scope, expression);
      switch (node.op) {
        case '==':
          return equals(a, b);
        case '!=':
          return !equals(a, b);
        case '<':
          return compare(a, b, expression) < 0;
        case '>':
          return compare(a, b, expression) > 0;
        case '<=':
          return compare(a, b, expression) <= 0;
        case '>=':
          return compare(a, b, expression) >= 0;
        case '+':
          return toNumber(a, expression) + toNumber(b, expression);
        case '-':
          return toNumber(a, expression) - toNumber(b, expression);
        case '*':
          return toNumber(a, expression) * toNumber(b, expression);
        case '/': {
          const divisor = toNumber(b, expression);
          if (divisor === 0) throw new ExpressionError(`表达式 ${expression} 除以零`, expression);
          return toNumber(a, expression) / divisor;
        }
        case '%':
          return toNumber(a, expression) % toNumber(b, expression);
      }
    }
  }
  throw new ExpressionError(`表达式 ${expression} 无法求值`, expression);
}

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
  const whole = /^\s*[$#]\{((?:[^}'"]|'[^']*'|"[^"]*")*)\}\s*$/s.exec(text);
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
