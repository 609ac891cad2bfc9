// Docker's Dockerfile word processing (moby's shell lexer): quotes, escapes and variable
// expansion as the builder applies them to ENV, LABEL, WORKDIR, USER, EXPOSE, VOLUME, FROM...

/** Thrown for a malformed word or a `${VAR:?message}` that fails; the builder reports it. */
export class WordError extends Error {}

export type Vars = ReadonlyMap<string, string>;

const NAME_START = /[A-Za-z_]/;
const NAME_CHAR = /[A-Za-z0-9_]/;

/** One word: quotes removed, escapes applied, `$VAR`/`${VAR...}` expanded. */
export function processWord(word: string, vars: Vars, escape = '\\'): string {
  return new Lexer(word, vars, escape).words(false).join('');
}

/** Several words, split on unquoted whitespace (EXPOSE, VOLUME, ...). */
export function processWords(text: string, vars: Vars, escape = '\\'): string[] {
  return new Lexer(text, vars, escape).words(true);
}

class Lexer {
  #i = 0;

  constructor(
    private readonly s: string,
    private readonly vars: Vars,
    private readonly escape: string,
  ) {}

  words(split: boolean): string[] {
    const out: string[] = [];
    let word = '';
    let inWord = false;
    while (this.#i < this.s.length) {
      const c = this.s[this.#i]!;
      if (split && /\s/.test(c)) {
        this.#i++;
        if (inWord) out.push(word);
        word = '';
        inWord = false;
        continue;
      }
      inWord = true;
      if (c === this.escape) {
        this.#i++;
        if (this.#i < this.s.length) word += this.s[this.#i++];
      } else if (c === "'") {
        word += this.#single();
      } else if (c === '"') {
        word += this.#double();
      } else if (c === '$') {
        word += this.#variable();
      } else {
        word += c;
        this.#i++;
      }
    }
    if (inWord) out.push(word);
    return out;
  }

  #single(): string {
    const end = this.s.indexOf("'", this.#i + 1);
    if (end < 0) throw new WordError(`unexpected end of statement while looking for matching single-quote`);
    const text = this.s.slice(this.#i + 1, end);
    this.#i = end + 1;
    return text;
  }

  #double(): string {
    this.#i++;
    let out = '';
    while (this.#i < this.s.length) {
      const c = this.s[this.#i]!;
      if (c === '"') {
        this.#i++;
        return out;
      }
      if (c === '$') {
        out += this.#variable();
      } else if (c === this.escape && ['"', '$', this.escape].includes(this.s[this.#i + 1] ?? '')) {
        out += this.s[this.#i + 1];
        this.#i += 2;
      } else {
        out += c;
        this.#i++;
      }
    }
    throw new WordError('unexpected end of statement while looking for matching double-quote');
  }

  /** At a `$`: `$NAME`, `${NAME}`, `${NAME:-word}`, `${NAME-word}`, `:+`, `+`, `:?`, `?`. */
  #variable(): string {
    this.#i++;
    const c = this.s[this.#i];
    if (c === '{') return this.#braced();
    if (c === undefined || !NAME_START.test(c)) return '$';
    let name = '';
    while (this.#i < this.s.length && NAME_CHAR.test(this.s[this.#i]!)) name += this.s[this.#i++];
    return this.vars.get(name) ?? '';
  }

  #braced(): string {
    this.#i++;
    let name = '';
    while (this.#i < this.s.length && NAME_CHAR.test(this.s[this.#i]!)) name += this.s[this.#i++];
    if (!name) throw new WordError(`bad substitution in "${this.s}"`);
    if (this.s[this.#i] === '}') {
      this.#i++;
      return this.vars.get(name) ?? '';
    }
    const colon = this.s[this.#i] === ':';
    if (colon) this.#i++;
    const op = this.s[this.#i];
    if (op !== '-' && op !== '+' && op !== '?') throw new WordError(`unsupported modifier (${op ?? 'end'}) in substitution in "${this.s}"`);
    this.#i++;
    const word = this.#until('}');
    const value = this.vars.get(name);
    const set = colon ? value !== undefined && value !== '' : value !== undefined;
    if (op === '-') return set ? value! : word;
    if (op === '+') return set ? word : '';
    if (!set) throw new WordError(`${name}: ${word || 'is not allowed to be unset'}`);
    return value!;
  }

  /** The (processed) word up to the closing brace, which is consumed. */
  #until(close: string): string {
    let out = '';
    while (this.#i < this.s.length) {
      const c = this.s[this.#i]!;
      if (c === close) {
        this.#i++;
        return out;
      }
      if (c === this.escape) {
        out += this.s[this.#i + 1] ?? '';
        this.#i += 2;
      } else if (c === '$') out += this.#variable();
      else if (c === "'") out += this.#single();
      else if (c === '"') out += this.#double();
      else {
        out += c;
        this.#i++;
      }
    }
    throw new WordError(`missing '${close}' in "${this.s}"`);
  }
}
