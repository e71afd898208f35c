/**
 * A reader for the HCL paved writes (emitters/shared/hcl.ts writes it): bodies of
 * attributes and labelled blocks, and expressions: literals, templates with
 * `${…}`, tuples, objects, traversals (`var.x["k"].y`), function calls
 * (`jsonencode({…})`), operators, conditionals and `for` expressions. It parses
 * more than it evaluates: terraform.ts evaluates what the wiring checks read and
 * leaves the rest unknown.
 *
 * Why not the real tool: `terraform console` needs `terraform init` per root (~1–6 s
 * here, against ~1 ms to parse a root), and cannot show what the checks need most,
 * the keys of `secret_string = jsonencode({…})`, because the values reference
 * attributes known only after apply, which makes the whole string unknown.
 */

export interface Position {
  readonly line: number;
  readonly col: number;
}

export type Expr =
  | { readonly kind: 'literal'; readonly value: string | number | boolean | null }
  | { readonly kind: 'template'; readonly parts: readonly (string | Expr)[] }
  | { readonly kind: 'tuple'; readonly items: readonly Expr[] }
  | { readonly kind: 'object'; readonly items: readonly { readonly key: Expr; readonly value: Expr }[] }
  /** A name and what follows it: `var.databases["checkout"].identifier`. */
  | { readonly kind: 'traversal'; readonly root: string; readonly steps: readonly Step[] }
  /** Steps after anything that is not a plain name: `f(x).y`, `(a)[0]`. */
  | { readonly kind: 'postfix'; readonly target: Expr; readonly steps: readonly Step[] }
  | { readonly kind: 'call'; readonly name: string; readonly args: readonly Expr[] }
  | { readonly kind: 'operation'; readonly operator: string; readonly operands: readonly Expr[] }
  | { readonly kind: 'conditional'; readonly condition: Expr; readonly then: Expr; readonly otherwise: Expr }
  /** `source` is its tokens; `text` is its exact source, brackets included, as printed. */
  | { readonly kind: 'for'; readonly source: string; readonly text: string };

export type Step = { readonly kind: 'attribute'; readonly name: string } | { readonly kind: 'index'; readonly key: Expr } | { readonly kind: 'splat' };

export interface Attribute {
  readonly name: string;
  readonly value: Expr;
  readonly position: Position;
}

export interface Block {
  readonly type: string;
  readonly labels: readonly string[];
  readonly body: Body;
  readonly position: Position;
}

export interface Body {
  readonly attributes: readonly Attribute[];
  readonly blocks: readonly Block[];
}

export class HclSyntaxError extends Error {
  constructor(file: string, position: Position, what: string) {
    super(`${file}:${position.line}:${position.col}: ${what}`);
  }
}

type TokenKind = 'ident' | 'number' | 'string' | 'punct' | 'newline' | 'eof';

interface Token {
  readonly kind: TokenKind;
  readonly text: string;
  /** For strings and heredocs: the parsed template parts. */
  readonly parts?: readonly (string | Expr)[];
  readonly position: Position;
  /** Where the token starts and ends in the text its lexer read. */
  readonly offset?: number;
  readonly end?: number;
}

const PUNCTUATION = [
  '...',
  '==',
  '!=',
  '<=',
  '>=',
  '&&',
  '||',
  '=>',
  '{',
  '}',
  '[',
  ']',
  '(',
  ')',
  '=',
  ',',
  '.',
  ':',
  '?',
  '!',
  '<',
  '>',
  '+',
  '-',
  '*',
  '/',
  '%',
];

/** Splits source into tokens; strings and heredocs carry their parsed template parts. */
class Lexer {
  private offset = 0;
  private line = 1;
  private col = 1;

  constructor(
    private readonly file: string,
    private readonly text: string,
  ) {}

  tokens(): Token[] {
    const tokens: Token[] = [];
    for (;;) {
      const token = this.next();
      tokens.push(token);
      if (token.kind === 'eof') return tokens;
    }
  }

  /** Tokens of a `${…}` interpolation, up to (and consuming) its closing brace. */
  interpolation(): Token[] {
    const tokens: Token[] = [];
    let depth = 0;
    for (;;) {
      const token = this.next();
      if (token.kind === 'eof') throw new HclSyntaxError(this.file, token.position, 'unterminated ${ in a string');
      if (token.kind === 'punct' && token.text === '{') depth += 1;
      if (token.kind === 'punct' && token.text === '}') {
        if (depth === 0) {
          tokens.push({ kind: 'eof', text: '', position: token.position });
          return tokens;
        }
        depth -= 1;
      }
      if (token.kind !== 'newline') tokens.push(token);
    }
  }

  private position(): Position {
    return { line: this.line, col: this.col };
  }

  private advance(count = 1): void {
    for (let i = 0; i < count; i += 1) {
      if (this.text[this.offset] === '\n') {
        this.line += 1;
        this.col = 1;
      } else {
        this.col += 1;
      }
      this.offset += 1;
    }
  }

  private peek(ahead = 0): string {
    return this.text[this.offset + ahead] ?? '';
  }

  private next(): Token {
    this.skipSpaceAndComments();
    const offset = this.offset;
    return { ...this.scan(), offset, end: this.offset };
  }

  private scan(): Token {
    const position = this.position();
    const c = this.peek();
    if (c === '') return { kind: 'eof', text: '', position };
    if (c === '\n') {
      this.advance();
      return { kind: 'newline', text: '\n', position };
    }
    if (c === '"') return this.quoted(position);
    if (c === '<' && this.peek(1) === '<' && /[-A-Za-z_]/.test(this.peek(2))) return this.heredoc(position);
    if (/[0-9]/.test(c)) {
      const match = /^[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(this.text.slice(this.offset));
      const text = match?.[0] ?? c;
      this.advance(text.length);
      return { kind: 'number', text, position };
    }
    if (/[A-Za-z_]/.test(c)) {
      const match = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(this.text.slice(this.offset));
      const text = match?.[0] ?? c;
      this.advance(text.length);
      return { kind: 'ident', text, position };
    }
    for (const p of PUNCTUATION) {
      if (this.text.startsWith(p, this.offset)) {
        this.advance(p.length);
        return { kind: 'punct', text: p, position };
      }
    }
    throw new HclSyntaxError(this.file, position, `unexpected character ${JSON.stringify(c)}`);
  }

  private skipSpaceAndComments(): void {
    for (;;) {
      const c = this.peek();
      if (c === ' ' || c === '\t' || c === '\r') this.advance();
      else if (c === '#' || (c === '/' && this.peek(1) === '/')) {
        while (this.peek() !== '' && this.peek() !== '\n') this.advance();
      } else if (c === '/' && this.peek(1) === '*') {
        const end = this.text.indexOf('*/', this.offset + 2);
        if (end < 0) throw new HclSyntaxError(this.file, this.position(), 'unterminated /* comment');
        this.advance(end + 2 - this.offset);
      } else return;
    }
  }

  /** A quoted template: escapes, `$${` and `%%{` literals, and `${…}` interpolations. */
  private quoted(position: Position): Token {
    this.advance();
    const parts: (string | Expr)[] = [];
    let literal = '';
    for (;;) {
      const c = this.peek();
      if (c === '' || c === '\n') throw new HclSyntaxError(this.file, position, 'unterminated string');
      if (c === '"') {
        this.advance();
        break;
      }
      if (c === '\\') {
        const e = this.peek(1);
        const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', '"': '"', '\\': '\\' };
        if (e in simple) {
          literal += simple[e];
          this.advance(2);
        } else if (e === 'u' || e === 'U') {
          const width = e === 'u' ? 4 : 8;
          const hex = this.text.slice(this.offset + 2, this.offset + 2 + width);
          literal += String.fromCodePoint(Number.parseInt(hex, 16));
          this.advance(2 + width);
        } else throw new HclSyntaxError(this.file, this.position(), `unknown escape \\${e}`);
        continue;
      }
      if ((c === '$' || c === '%') && this.peek(1) === c && this.peek(2) === '{') {
        literal += `${c}{`;
        this.advance(3);
        continue;
      }
      if (c === '$' && this.peek(1) === '{') {
        this.advance(2);
        if (literal !== '') parts.push(literal);
        literal = '';
        parts.push(new Parser(this.file, this.interpolation(), this.text).expressionToEnd());
        continue;
      }
      literal += c;
      this.advance();
    }
    if (literal !== '' || parts.length === 0) parts.push(literal);
    return { kind: 'string', text: '', parts, position };
  }

  /** `<<EOT` / `<<-EOT` heredocs (paved writes none; others may). */
  private heredoc(position: Position): Token {
    this.advance(2);
    const indented = this.peek() === '-';
    if (indented) this.advance();
    const match = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.text.slice(this.offset));
    if (!match) throw new HclSyntaxError(this.file, position, 'heredoc without a marker');
    const marker = match[0];
    this.advance(marker.length);
    while (this.peek() !== '\n' && this.peek() !== '') this.advance();
    this.advance();
    const lines: string[] = [];
    for (;;) {
      if (this.peek() === '') throw new HclSyntaxError(this.file, position, `heredoc ${marker} is not closed`);
      const end = this.text.indexOf('\n', this.offset);
      const line = this.text.slice(this.offset, end < 0 ? this.text.length : end);
      this.advance(line.length);
      if (line.trim() === marker) break;
      lines.push(line);
      this.advance();
    }
    const indent = indented ? Math.min(...lines.filter((l) => l.trim() !== '').map((l) => l.length - l.trimStart().length)) : 0;
    const text = lines.map((l) => l.slice(indent)).join('\n') + '\n';
    // Interpolations without nested braces are enough for heredocs (paved writes none).
    const parts: (string | Expr)[] = [];
    let last = 0;
    for (const m of text.matchAll(/\$\{([^{}]*)\}/g)) {
      if (text[(m.index ?? 0) - 1] === '$') continue;
      if ((m.index ?? 0) > last) parts.push(text.slice(last, m.index));
      const inner = m[1] as string;
      parts.push(
        new Parser(
          this.file,
          new Lexer(this.file, inner).tokens().filter((t) => t.kind !== 'newline'),
          inner,
        ).expressionToEnd(),
      );
      last = (m.index ?? 0) + m[0].length;
    }
    if (last < text.length || parts.length === 0) parts.push(text.slice(last));
    return { kind: 'string', text: '', parts, position };
  }
}

const BINARY: readonly (readonly string[])[] = [['||'], ['&&'], ['==', '!='], ['<', '>', '<=', '>='], ['+', '-'], ['*', '/', '%']];

class Parser {
  private index = 0;

  constructor(
    private readonly file: string,
    private readonly tokens: readonly Token[],
    private readonly text: string,
  ) {}

  body(closing?: string): Body {
    const attributes: Attribute[] = [];
    const blocks: Block[] = [];
    for (;;) {
      this.skipNewlines();
      const token = this.peek();
      if (closing === undefined && token.kind === 'eof') break;
      if (closing !== undefined && this.isPunct(closing)) {
        this.index += 1;
        break;
      }
      if (token.kind !== 'ident') this.fail(token, 'an attribute or block name');
      this.index += 1;
      if (this.isPunct('=')) {
        this.index += 1;
        attributes.push({ name: token.text, value: this.expression(), position: token.position });
        this.endOfItem();
        continue;
      }
      const labels: string[] = [];
      while (this.peek().kind === 'string' || this.peek().kind === 'ident') {
        const label = this.peek();
        this.index += 1;
        labels.push(label.kind === 'ident' ? label.text : templateText(label, this.file));
      }
      this.expectPunct('{');
      blocks.push({ type: token.text, labels, body: this.body('}'), position: token.position });
      this.endOfItem();
    }
    return { attributes, blocks };
  }

  /** An expression that must use every token (an interpolation). */
  expressionToEnd(): Expr {
    const expr = this.expression();
    if (this.peek().kind !== 'eof') this.fail(this.peek(), 'the end of the interpolation');
    return expr;
  }

  private expression(): Expr {
    const condition = this.binary(0);
    if (!this.isPunct('?')) return condition;
    this.index += 1;
    const then = this.expression();
    this.expectPunct(':');
    return { kind: 'conditional', condition, then, otherwise: this.expression() };
  }

  private binary(level: number): Expr {
    const operators = BINARY[level];
    if (operators === undefined) return this.unary();
    let left = this.binary(level + 1);
    while (this.peek().kind === 'punct' && operators.includes(this.peek().text)) {
      const operator = this.peek().text;
      this.index += 1;
      left = { kind: 'operation', operator, operands: [left, this.binary(level + 1)] };
    }
    return left;
  }

  private unary(): Expr {
    if (this.isPunct('!') || this.isPunct('-')) {
      const operator = this.peek().text;
      this.index += 1;
      return { kind: 'operation', operator, operands: [this.unary()] };
    }
    return this.postfix(this.primary());
  }

  private postfix(target: Expr): Expr {
    const steps: Step[] = [];
    for (;;) {
      if (this.isPunct('.')) {
        this.index += 1;
        const name = this.peek();
        this.index += 1;
        if (name.kind === 'punct' && name.text === '*') steps.push({ kind: 'splat' });
        else if (name.kind === 'ident' || name.kind === 'number') steps.push({ kind: 'attribute', name: name.text });
        else this.fail(name, 'an attribute name');
      } else if (this.isPunct('[')) {
        this.index += 1;
        this.skipNewlines();
        if (this.isPunct('*')) {
          this.index += 1;
          steps.push({ kind: 'splat' });
        } else steps.push({ kind: 'index', key: this.expression() });
        this.skipNewlines();
        this.expectPunct(']');
      } else break;
    }
    if (steps.length === 0) return target;
    if (target.kind === 'traversal') return { ...target, steps: [...target.steps, ...steps] };
    return { kind: 'postfix', target, steps };
  }

  private primary(): Expr {
    const token = this.peek();
    this.index += 1;
    if (token.kind === 'number') return { kind: 'literal', value: Number(token.text) };
    if (token.kind === 'string') {
      const parts = token.parts ?? [];
      if (parts.length === 1 && typeof parts[0] === 'string') return { kind: 'literal', value: parts[0] };
      return { kind: 'template', parts };
    }
    if (token.kind === 'ident') {
      if (token.text === 'true' || token.text === 'false') return { kind: 'literal', value: token.text === 'true' };
      if (token.text === 'null') return { kind: 'literal', value: null };
      if (this.isPunct('(')) {
        this.index += 1;
        const args = this.list(')');
        return { kind: 'call', name: token.text, args };
      }
      return { kind: 'traversal', root: token.text, steps: [] };
    }
    if (token.kind === 'punct') {
      if (token.text === '(') {
        this.skipNewlines();
        const inner = this.expression();
        this.skipNewlines();
        this.expectPunct(')');
        return inner;
      }
      if (token.text === '[') {
        if (this.startsFor()) return this.skipFor(token, ']');
        return { kind: 'tuple', items: this.list(']') };
      }
      if (token.text === '{') {
        if (this.startsFor()) return this.skipFor(token, '}');
        return this.object();
      }
    }
    return this.fail(token, 'an expression');
  }

  /** Items separated by commas (newlines allowed), up to `closing`; `...` expansion is tolerated. */
  private list(closing: string): Expr[] {
    const items: Expr[] = [];
    for (;;) {
      this.skipNewlines();
      if (this.isPunct(closing)) {
        this.index += 1;
        return items;
      }
      items.push(this.expression());
      this.skipNewlines();
      if (this.isPunct('...')) this.index += 1;
      if (this.isPunct(',')) this.index += 1;
      else {
        this.skipNewlines();
        this.expectPunct(closing);
        return items;
      }
    }
  }

  private object(): Expr {
    const items: { key: Expr; value: Expr }[] = [];
    for (;;) {
      this.skipNewlines();
      if (this.isPunct('}')) {
        this.index += 1;
        return { kind: 'object', items };
      }
      const keyToken = this.peek();
      // A bare name is a literal key, as in HCL; anything else is an expression.
      const key: Expr = keyToken.kind === 'ident' && (this.peekAt(1).text === '=' || this.peekAt(1).text === ':') ? this.bareKey() : this.expression();
      if (!this.isPunct('=') && !this.isPunct(':')) this.fail(this.peek(), '= after an object key');
      this.index += 1;
      items.push({ key, value: this.expression() });
      if (this.isPunct(',')) this.index += 1;
      else if (this.peek().kind !== 'newline' && !this.isPunct('}')) this.fail(this.peek(), 'a newline, a comma or }');
    }
  }

  private bareKey(): Expr {
    const token = this.peek();
    this.index += 1;
    return { kind: 'literal', value: token.text };
  }

  private startsFor(): boolean {
    let i = this.index;
    while (this.tokens[i]?.kind === 'newline') i += 1;
    const token = this.tokens[i];
    return token?.kind === 'ident' && token.text === 'for';
  }

  /** `for` expressions are kept as opaque source: the checks never need their value. */
  private skipFor(open: Token, closing: string): Expr {
    let depth = 0;
    const start = this.index;
    for (;;) {
      const token = this.peek();
      if (token.kind === 'eof') this.fail(open, `${closing} closing the for expression`);
      this.index += 1;
      if (token.kind === 'punct' && (token.text === '{' || token.text === '[' || token.text === '(')) depth += 1;
      if (token.kind === 'punct' && (token.text === '}' || token.text === ']' || token.text === ')')) {
        if (depth === 0) break;
        depth -= 1;
      }
    }
    const source = this.tokens
      .slice(start, this.index - 1)
      .map((t) => t.text)
      .join(' ');
    return { kind: 'for', source, text: this.text.slice(open.offset, this.tokens[this.index - 1]!.end) };
  }

  private endOfItem(): void {
    const token = this.peek();
    if (token.kind === 'newline' || token.kind === 'eof' || (token.kind === 'punct' && token.text === '}')) return;
    this.fail(token, 'a newline after the item');
  }

  private skipNewlines(): void {
    while (this.peek().kind === 'newline') this.index += 1;
  }

  private peek(): Token {
    return this.peekAt(0);
  }

  private peekAt(ahead: number): Token {
    return this.tokens[Math.min(this.index + ahead, this.tokens.length - 1)] as Token;
  }

  private isPunct(text: string): boolean {
    const token = this.peek();
    return token.kind === 'punct' && token.text === text;
  }

  private expectPunct(text: string): void {
    if (!this.isPunct(text)) this.fail(this.peek(), text);
    this.index += 1;
  }

  private fail(token: Token, expected: string): never {
    const found = token.kind === 'eof' ? 'the end' : token.kind === 'newline' ? 'a newline' : JSON.stringify(token.text || token.kind);
    throw new HclSyntaxError(this.file, token.position, `expected ${expected}, found ${found}`);
  }
}

function templateText(token: Token, file: string): string {
  const parts = token.parts ?? [];
  if (parts.every((p) => typeof p === 'string')) return parts.join('');
  throw new HclSyntaxError(file, token.position, 'a block label cannot interpolate');
}

/** Parses a .tf or .tfvars file; throws HclSyntaxError with file:line:col on what it cannot read. */
export function parseHcl(file: string, text: string): Body {
  return new Parser(file, new Lexer(file, text).tokens(), text).body();
}
