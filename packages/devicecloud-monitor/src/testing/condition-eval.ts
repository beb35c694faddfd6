/**
 * The simulator's reading of the `condition=` language: comparisons (`=`, `<`, `>`, `like`) on
 * monitor attributes with single-quoted values ('' escapes a quote), `and`, `or` (and binds tighter)
 * and parentheses. Numeric values compare as numbers.
 */

type Token = { t: 'id' | 'str' | 'op' | '(' | ')' | 'and' | 'or'; v: string };

function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '(' || c === ')') {
      out.push({ t: c, v: c });
      i++;
    } else if (c === '=' || c === '<' || c === '>') {
      out.push({ t: 'op', v: c });
      i++;
    } else if (c === "'") {
      let v = '';
      i++;
      for (;;) {
        if (i >= text.length) throw new SyntaxError('unterminated string');
        if (text[i] === "'") {
          if (text[i + 1] === "'") {
            v += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        v += text[i];
        i++;
      }
      out.push({ t: 'str', v });
    } else {
      const m = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(text.slice(i));
      if (!m) throw new SyntaxError(`unexpected character ${c}`);
      const word = m[0];
      const lower = word.toLowerCase();
      out.push(lower === 'and' || lower === 'or' ? { t: lower, v: word } : lower === 'like' ? { t: 'op', v: 'like' } : { t: 'id', v: word });
      i += word.length;
    }
  }
  return out;
}

export type Predicate = (fields: Record<string, string>) => boolean;

function likeRegex(pattern: string): RegExp {
  const body = [...pattern].map((ch) => (ch === '%' ? '.*' : ch === '_' ? '.' : ch.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('');
  return new RegExp(`^${body}$`, 's');
}

function compare(a: string, b: string): number {
  const na = Number(a);
  const nb = Number(b);
  if (a.trim() !== '' && b.trim() !== '' && Number.isFinite(na) && Number.isFinite(nb)) return na - nb;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Compiles a condition; throws SyntaxError on anything it does not understand. */
export function compileCondition(text: string): Predicate {
  const tokens = tokenize(text);
  let pos = 0;
  const peek = () => tokens[pos];
  const expect = (t: Token['t']): Token => {
    const tok = tokens[pos++];
    if (!tok || tok.t !== t) throw new SyntaxError(`expected ${t}`);
    return tok;
  };
  const primary = (): Predicate => {
    if (peek()?.t === '(') {
      pos++;
      const inner = orExpr();
      expect(')');
      return inner;
    }
    const name = expect('id').v;
    const op = expect('op').v;
    const value = expect('str').v;
    if (op === 'like') {
      const re = likeRegex(value);
      return (f) => re.test(f[name] ?? '');
    }
    return (f) => {
      const v = f[name];
      if (v === undefined) return false;
      const c = compare(v, value);
      return op === '=' ? c === 0 : op === '<' ? c < 0 : c > 0;
    };
  };
  const andExpr = (): Predicate => {
    const parts = [primary()];
    while (peek()?.t === 'and') {
      pos++;
      parts.push(primary());
    }
    return (f) => parts.every((p) => p(f));
  };
  const orExpr = (): Predicate => {
    const parts = [andExpr()];
    while (peek()?.t === 'or') {
      pos++;
      parts.push(andExpr());
    }
    return (f) => parts.some((p) => p(f));
  };
  const pred = orExpr();
  if (pos !== tokens.length) throw new SyntaxError('trailing tokens');
  return pred;
}
