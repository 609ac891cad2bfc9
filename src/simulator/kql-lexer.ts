import { ServiceError } from './errors';

export type Token =
  | { type: 'ident'; value: string; pos: number }
  | { type: 'string'; value: string; pos: number }
  | { type: 'number'; value: number; pos: number }
  | { type: 'datetime'; value: number; pos: number }
  | { type: 'symbol'; value: Punctuation; pos: number }
  | { type: 'eof'; pos: number };

export type Punctuation = '|' | ',' | '(' | ')' | '==' | '!=' | '=~' | '>=' | '<=' | '>' | '<';

/** Two-character symbols first, so `>=` is not read as `>` then `=`. */
const SYMBOLS: readonly Punctuation[] = ['==', '!=', '=~', '>=', '<=', '|', ',', '(', ')', '>', '<'];

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', '"': '"', "'": "'" };

/** The 400 Log Analytics answers for a query it cannot parse or resolve. */
export function kqlError(kind: 'SyntaxError' | 'SemanticError', message: string): ServiceError {
  // An unresolved name: the service's SEM0100 under a SemanticError.
  const inner = kind === 'SemanticError' && message.startsWith('Failed to resolve')
    ? { code: kind, message: 'A semantic error occurred.', innererror: { code: 'SEM0100', message } }
    : { code: kind, message };
  return new ServiceError(400, 'BadArgumentError', 'The request had some invalid properties', inner);
}

/**
 * A `datetime(...)` literal. KQL reads a value without a zone as UTC; JavaScript would read it
 * as local time, so a `Z` is added.
 */
function parseDatetime(raw: string, pos: number): number {
  let text = raw.trim().replace(/^(["'])(.*)\1$/, '$2').trim();
  if (/^\d{4}-\d{2}-\d{2} \d/.test(text)) text = text.replace(' ', 'T');
  if (/T\d/.test(text) && !/(Z|[+-]\d{2}:?\d{2})$/i.test(text)) text += 'Z';
  const value = Date.parse(text);
  if (Number.isNaN(value)) throw kqlError('SyntaxError', `Invalid datetime literal '${raw}' at position ${pos}`);
  return value;
}

export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const ch = source[i]!;
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    const start = i;
    if (ch === '"' || ch === "'") {
      let value = '';
      i++;
      while (i < source.length && source[i] !== ch) {
        if (source[i] === '\\') {
          const next = source[i + 1];
          const hex = next === 'u' ? /^[0-9a-fA-F]{4}/.exec(source.slice(i + 2)) : null;
          if (hex) {
            value += String.fromCharCode(parseInt(hex[0], 16));
            i += 6;
            continue;
          }
          if (next === undefined || !(next in ESCAPES)) throw kqlError('SyntaxError', `Invalid escape sequence at position ${i}`);
          value += ESCAPES[next];
          i += 2;
        } else {
          value += source[i];
          i++;
        }
      }
      if (i >= source.length) throw kqlError('SyntaxError', `Unterminated string literal at position ${start}`);
      i++;
      tokens.push({ type: 'string', value, pos: start });
      continue;
    }
    if (/[0-9]/.test(ch)) {
      const match = /^[0-9]+(\.[0-9]+)?/.exec(source.slice(i))!;
      i += match[0].length;
      tokens.push({ type: 'number', value: Number(match[0]), pos: start });
      continue;
    }
    if (/[A-Za-z_]/.test(ch)) {
      const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(source.slice(i))![0];
      i += word.length;
      const rest = /^\s*\(/.exec(source.slice(i));
      if (word === 'datetime' && rest) {
        // The literal's text (2026-11-28T10:00:00.000Z) is not made of KQL tokens: read it raw.
        const close = source.indexOf(')', i);
        if (close < 0) throw kqlError('SyntaxError', `Unterminated datetime literal at position ${start}`);
        tokens.push({ type: 'datetime', value: parseDatetime(source.slice(i + rest[0].length, close), start), pos: start });
        i = close + 1;
      } else {
        tokens.push({ type: 'ident', value: word, pos: start });
      }
      continue;
    }
    const symbol = SYMBOLS.find((s) => source.startsWith(s, i));
    if (!symbol) throw kqlError('SyntaxError', `Unexpected character '${ch}' at position ${i}`);
    i += symbol.length;
    tokens.push({ type: 'symbol', value: symbol, pos: start });
  }
  tokens.push({ type: 'eof', pos: source.length });
  return tokens;
}
