/**
 * The expression language of item templates: arithmetic over exact rationals, comparisons and
 * logic for constraints, and a few school functions. Curriculum authors write these in data
 * files, so it is parsed by this small grammar and never evaluated as JavaScript.
 *
 *   expr    := or
 *   or      := and ('||' and)*
 *   and     := compare ('&&' compare)*
 *   compare := sum (('=='|'!='|'<'|'<='|'>'|'>=') sum)?
 *   sum     := product (('+'|'-') product)*
 *   product := unary (('*'|'/') unary)*
 *   unary   := ('-'|'!') unary | power
 *   power   := primary ('^' unary)?
 *   primary := number | name | name '(' expr (',' expr)* ')' | '(' expr ')'
 */
import {
  add,
  compare,
  div,
  floor,
  gcd,
  lcm,
  mod,
  mul,
  neg,
  parseDecimal,
  pow,
  type Rational,
  RationalError,
  rational,
  sqrt,
  sub,
} from "./rational.js";

export class ExpressionError extends Error {}

type Node =
  | { kind: "number"; value: Rational }
  | { kind: "name"; name: string }
  | { kind: "unary"; op: "-" | "!"; operand: Node }
  | { kind: "binary"; op: string; left: Node; right: Node }
  | { kind: "call"; name: string; args: Node[] };

const TRUE = rational(1);
const FALSE = rational(0);
const truthy = (value: Rational): boolean => value.n !== 0;

const FUNCTIONS: Record<string, { arity: number | "variadic"; apply: (args: Rational[]) => Rational }> = {
  gcd: { arity: 2, apply: ([a, b]) => gcd(a as Rational, b as Rational) },
  lcm: { arity: 2, apply: ([a, b]) => lcm(a as Rational, b as Rational) },
  mod: { arity: 2, apply: ([a, b]) => mod(a as Rational, b as Rational) },
  abs: { arity: 1, apply: ([a]) => rational(Math.abs((a as Rational).n), (a as Rational).d) },
  floor: { arity: 1, apply: ([a]) => floor(a as Rational) },
  ceil: { arity: 1, apply: ([a]) => neg(floor(neg(a as Rational))) },
  sqrt: { arity: 1, apply: ([a]) => sqrt(a as Rational) },
  /** Rounds half away from zero, as taught in school (四舍五入). */
  round: {
    arity: 1,
    apply: ([a]) => {
      const value = a as Rational;
      const magnitude = floor(add(rational(Math.abs(value.n), value.d), rational(1, 2)));
      return value.n < 0 ? neg(magnitude) : magnitude;
    },
  },
  min: { arity: "variadic", apply: (args) => args.reduce((m, x) => (compare(x, m) < 0 ? x : m)) },
  max: { arity: "variadic", apply: (args) => args.reduce((m, x) => (compare(x, m) > 0 ? x : m)) },
  /** The numerator and denominator of a value in lowest terms. */
  num: { arity: 1, apply: ([a]) => rational((a as Rational).n) },
  den: { arity: 1, apply: ([a]) => rational((a as Rational).d) },
};

const TOKEN = /\s*(?:(\d+(?:\.\d+)?)|([A-Za-z_][A-Za-z0-9_]*)|(==|!=|<=|>=|&&|\|\||[-+*/^()<>!,]))/y;

function tokenize(source: string): string[] {
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  let position = 0;
  while (position < source.length) {
    if (/^\s*$/.test(source.slice(position))) break;
    TOKEN.lastIndex = position;
    const match = TOKEN.exec(source);
    if (!match) throw new ExpressionError(`unexpected character at ${position + 1}: "${source.slice(position)}"`);
    tokens.push((match[1] ?? match[2] ?? match[3]) as string);
    position = TOKEN.lastIndex;
  }
  return tokens;
}

class Parser {
  private position = 0;
  constructor(
    private readonly tokens: string[],
    private readonly source: string,
  ) {}

  parse(): Node {
    const node = this.or();
    if (this.position < this.tokens.length) this.fail(`unexpected "${this.tokens[this.position]}"`);
    return node;
  }

  private fail(message: string): never {
    throw new ExpressionError(`${message} in "${this.source}"`);
  }
  private peek(): string | undefined {
    return this.tokens[this.position];
  }
  private take(): string {
    const token = this.tokens[this.position++];
    if (token === undefined) this.fail("unexpected end");
    return token;
  }
  private expect(token: string): void {
    if (this.take() !== token) this.fail(`expected "${token}"`);
  }

  private or(): Node {
    let left = this.and();
    while (this.peek() === "||") {
      this.take();
      left = { kind: "binary", op: "||", left, right: this.and() };
    }
    return left;
  }
  private and(): Node {
    let left = this.compare();
    while (this.peek() === "&&") {
      this.take();
      left = { kind: "binary", op: "&&", left, right: this.compare() };
    }
    return left;
  }
  private compare(): Node {
    const left = this.sum();
    const op = this.peek();
    if (op && ["==", "!=", "<", "<=", ">", ">="].includes(op)) {
      this.take();
      return { kind: "binary", op, left, right: this.sum() };
    }
    return left;
  }
  private sum(): Node {
    let left = this.product();
    for (let op = this.peek(); op === "+" || op === "-"; op = this.peek()) {
      this.take();
      left = { kind: "binary", op, left, right: this.product() };
    }
    return left;
  }
  private product(): Node {
    let left = this.unary();
    for (let op = this.peek(); op === "*" || op === "/"; op = this.peek()) {
      this.take();
      left = { kind: "binary", op, left, right: this.unary() };
    }
    return left;
  }
  private unary(): Node {
    const op = this.peek();
    if (op === "-" || op === "!") {
      this.take();
      return { kind: "unary", op, operand: this.unary() };
    }
    return this.power();
  }
  private power(): Node {
    const base = this.primary();
    if (this.peek() === "^") {
      this.take();
      return { kind: "binary", op: "^", left: base, right: this.unary() };
    }
    return base;
  }
  private primary(): Node {
    const token = this.take();
    if (token === "(") {
      const inner = this.or();
      this.expect(")");
      return inner;
    }
    if (/^\d/.test(token)) return { kind: "number", value: parseDecimal(token) };
    if (/^[A-Za-z_]/.test(token)) {
      if (this.peek() !== "(") return { kind: "name", name: token };
      this.take();
      const fn = FUNCTIONS[token];
      if (!fn) this.fail(`unknown function "${token}"`);
      const args = [this.or()];
      while (this.peek() === ",") {
        this.take();
        args.push(this.or());
      }
      this.expect(")");
      if (fn.arity !== "variadic" && args.length !== fn.arity) {
        this.fail(`${token}() takes ${fn.arity} argument(s)`);
      }
      return { kind: "call", name: token, args };
    }
    return this.fail(`unexpected "${token}"`);
  }
}

export interface CompiledExpression {
  readonly source: string;
  /** Parameter names the expression reads. */
  readonly names: ReadonlySet<string>;
  evaluate(scope: Readonly<Record<string, Rational>>): Rational;
}

function collectNames(node: Node, into: Set<string>): void {
  switch (node.kind) {
    case "name":
      into.add(node.name);
      return;
    case "unary":
      collectNames(node.operand, into);
      return;
    case "binary":
      collectNames(node.left, into);
      collectNames(node.right, into);
      return;
    case "call":
      for (const arg of node.args) collectNames(arg, into);
      return;
    case "number":
      return;
  }
}

function evaluateNode(node: Node, scope: Readonly<Record<string, Rational>>): Rational {
  switch (node.kind) {
    case "number":
      return node.value;
    case "name": {
      const value = scope[node.name];
      if (!value) throw new ExpressionError(`unknown name "${node.name}"`);
      return value;
    }
    case "unary": {
      const operand = evaluateNode(node.operand, scope);
      return node.op === "-" ? neg(operand) : truthy(operand) ? FALSE : TRUE;
    }
    case "call":
      return (FUNCTIONS[node.name] as (typeof FUNCTIONS)[string]).apply(node.args.map((arg) => evaluateNode(arg, scope)));
    case "binary": {
      if (node.op === "&&") return truthy(evaluateNode(node.left, scope)) && truthy(evaluateNode(node.right, scope)) ? TRUE : FALSE;
      if (node.op === "||") return truthy(evaluateNode(node.left, scope)) || truthy(evaluateNode(node.right, scope)) ? TRUE : FALSE;
      const left = evaluateNode(node.left, scope);
      const right = evaluateNode(node.right, scope);
      switch (node.op) {
        case "+":
          return add(left, right);
        case "-":
          return sub(left, right);
        case "*":
          return mul(left, right);
        case "/":
          return div(left, right);
        case "^":
          return pow(left, right);
        case "==":
          return compare(left, right) === 0 ? TRUE : FALSE;
        case "!=":
          return compare(left, right) !== 0 ? TRUE : FALSE;
        case "<":
          return compare(left, right) < 0 ? TRUE : FALSE;
        case "<=":
          return compare(left, right) <= 0 ? TRUE : FALSE;
        case ">":
          return compare(left, right) > 0 ? TRUE : FALSE;
        case ">=":
          return compare(left, right) >= 0 ? TRUE : FALSE;
      }
      throw new ExpressionError(`unknown operator ${node.op}`);
    }
  }
}

/** Parses once; evaluation errors (division by zero, overflow, irrational roots) throw RationalError. */
export function compileExpression(source: string): CompiledExpression {
  const root = new Parser(tokenize(source), source).parse();
  const names = new Set<string>();
  collectNames(root, names);
  return { source, names, evaluate: (scope) => evaluateNode(root, scope) };
}

export function isTruthy(value: Rational): boolean {
  return truthy(value);
}

export { RationalError };
