import { kqlError, tokenize } from './kql-lexer';
import type { Token } from './kql-lexer';

// The KQL subset the daemon sends (src/aca/kql.ts builds it):
//   Table | where C op literal [and …] | project a, b | order by X [asc|desc] | take N
// A tiny recursive-descent parser builds a Query; runQuery evaluates it over in-memory rows.

export type ColumnType = 'datetime' | 'string' | 'real';
export interface Column {
  name: string;
  type: ColumnType;
}
/** Strings for string columns, epoch milliseconds for datetime columns, numbers for real ones. */
export type Cell = string | number;
export type Row = Record<string, Cell>;
export interface Table {
  columns: Column[];
  rows: Row[];
}

type Literal = { type: 'string'; value: string } | { type: 'datetime'; value: number } | { type: 'number'; value: number };

const STRING_OPERATORS = ['==', '!=', '=~', 'startswith', 'startswith_cs'] as const;
const DATETIME_OPERATORS = ['==', '!=', '>', '>=', '<', '<='] as const;
type CompareOperator = (typeof STRING_OPERATORS)[number] | (typeof DATETIME_OPERATORS)[number];

interface Comparison {
  column: string;
  operator: CompareOperator;
  literal: Literal;
}

type TabularOperator =
  | { kind: 'where'; conditions: Comparison[] }
  | { kind: 'project'; columns: string[] }
  | { kind: 'order'; keys: Array<{ column: string; descending: boolean }> }
  | { kind: 'take'; count: number };

export interface Query {
  table: string;
  operators: TabularOperator[];
}

class Parser {
  #tokens: Token[];
  #at = 0;

  constructor(source: string) {
    this.#tokens = tokenize(source);
  }

  parse(): Query {
    const table = this.#ident('a table name');
    const operators: TabularOperator[] = [];
    while (this.#peekSymbol('|')) {
      this.#at++;
      operators.push(this.#operator());
    }
    const rest = this.#peek();
    if (rest.type !== 'eof') throw this.#unexpected(rest, "'|' or the end of the query");
    return { table, operators };
  }

  #operator(): TabularOperator {
    const token = this.#peek();
    const word = token.type === 'ident' ? token.value : '';
    this.#at++;
    switch (word) {
      case 'where':
        return { kind: 'where', conditions: this.#conditions() };
      case 'project':
        return { kind: 'project', columns: this.#list(() => this.#ident('a column name')) };
      case 'order':
      case 'sort':
        this.#keyword('by');
        return { kind: 'order', keys: this.#list(() => this.#sortKey()) };
      case 'take':
      case 'limit':
        return { kind: 'take', count: this.#count() };
      default:
        throw this.#unexpected(token, 'one of where, project, order by, sort by, take, limit');
    }
  }

  #conditions(): Comparison[] {
    const conditions = [this.#comparison()];
    while (this.#peekWord('and')) {
      this.#at++;
      conditions.push(this.#comparison());
    }
    return conditions;
  }

  #comparison(): Comparison {
    const column = this.#ident('a column name');
    const token = this.#peek();
    const text = token.type === 'symbol' || token.type === 'ident' ? token.value : '';
    const operator = [...STRING_OPERATORS, ...DATETIME_OPERATORS].find((op) => op === text);
    if (!operator) throw this.#unexpected(token, 'a comparison operator');
    this.#at++;
    return { column, operator, literal: this.#literal() };
  }

  #literal(): Literal {
    const token = this.#peek();
    this.#at++;
    if (token.type === 'string') return { type: 'string', value: token.value };
    if (token.type === 'datetime') return { type: 'datetime', value: token.value };
    if (token.type === 'number') return { type: 'number', value: token.value };
    throw this.#unexpected(token, 'a literal (string, number or datetime(...))');
  }

  #sortKey(): { column: string; descending: boolean } {
    const column = this.#ident('a column name');
    // KQL sorts descending unless told otherwise.
    let descending = true;
    const token = this.#peek();
    if (token.type === 'ident' && (token.value === 'asc' || token.value === 'desc')) {
      this.#at++;
      descending = token.value === 'desc';
    }
    return { column, descending };
  }

  #count(): number {
    const token = this.#peek();
    if (token.type !== 'number' || !Number.isInteger(token.value)) throw this.#unexpected(token, 'a whole number');
    this.#at++;
    return token.value;
  }

  #list<T>(item: () => T): T[] {
    const items = [item()];
    while (this.#peekSymbol(',')) {
      this.#at++;
      items.push(item());
    }
    return items;
  }

  #ident(what: string): string {
    const token = this.#peek();
    if (token.type !== 'ident') throw this.#unexpected(token, what);
    this.#at++;
    return token.value;
  }

  #keyword(word: string): void {
    if (!this.#peekWord(word)) throw this.#unexpected(this.#peek(), `'${word}'`);
    this.#at++;
  }

  #peek(): Token {
    return this.#tokens[this.#at]!;
  }

  #peekWord(word: string): boolean {
    const token = this.#peek();
    return token.type === 'ident' && token.value === word;
  }

  #peekSymbol(symbol: string): boolean {
    const token = this.#peek();
    return token.type === 'symbol' && token.value === symbol;
  }

  #unexpected(token: Token, expected: string) {
    const found = token.type === 'eof' ? 'the end of the query' : `'${String(token.value)}'`;
    return kqlError('SyntaxError', `Expected ${expected} at position ${token.pos}, found ${found}`);
  }
}

export function parseQuery(source: string): Query {
  return new Parser(source).parse();
}

function columnOf(table: Table, name: string): Column {
  const column = table.columns.find((c) => c.name === name);
  if (!column) throw kqlError('SemanticError', `Failed to resolve scalar expression named '${name}'`);
  return column;
}

function predicate(table: Table, comparison: Comparison): (row: Row) => boolean {
  const { column: name, operator, literal } = comparison;
  const column = columnOf(table, name);
  const allowed: readonly string[] = column.type === 'string' ? STRING_OPERATORS : DATETIME_OPERATORS;
  const literalType = column.type === 'real' ? 'number' : column.type;
  if (!allowed.includes(operator) || literal.type !== literalType) {
    throw kqlError('SemanticError', `Cannot compare ${column.type} column '${name}' with ${operator} to a ${literal.type} literal`);
  }
  if (column.type === 'string') {
    const value = literal.value as string;
    const lower = value.toLowerCase();
    const tests: Record<string, (cell: string) => boolean> = {
      '==': (cell) => cell === value,
      '!=': (cell) => cell !== value,
      '=~': (cell) => cell.toLowerCase() === lower,
      // KQL's startswith ignores case; startswith_cs does not.
      startswith: (cell) => cell.toLowerCase().startsWith(lower),
      startswith_cs: (cell) => cell.startsWith(value),
    };
    const test = tests[operator]!;
    return (row) => test(row[name] as string);
  }
  const value = literal.value as number;
  const tests: Record<string, (cell: number) => boolean> = {
    '==': (cell) => cell === value,
    '!=': (cell) => cell !== value,
    '>': (cell) => cell > value,
    '>=': (cell) => cell >= value,
    '<': (cell) => cell < value,
    '<=': (cell) => cell <= value,
  };
  const test = tests[operator]!;
  return (row) => test(row[name] as number);
}

function apply(table: Table, operator: TabularOperator): Table {
  switch (operator.kind) {
    case 'where': {
      const tests = operator.conditions.map((c) => predicate(table, c));
      return { columns: table.columns, rows: table.rows.filter((row) => tests.every((t) => t(row))) };
    }
    case 'project': {
      const columns = operator.columns.map((name) => columnOf(table, name));
      const rows = table.rows.map((row) => Object.fromEntries(columns.map((c) => [c.name, row[c.name]!])));
      return { columns, rows };
    }
    case 'order': {
      for (const key of operator.keys) columnOf(table, key.column);
      // Rows that tie keep their order, read in the first key's direction. Log Analytics stores
      // sub-millisecond times, so lines written in one millisecond still have an order; this way
      // `order by TimeGenerated desc` is exactly the reverse of `asc`, as it is there.
      const position = new Map(table.rows.map((row, i) => [row, i]));
      const tieDirection = operator.keys[0]!.descending ? -1 : 1;
      const rows = [...table.rows].sort((a, b) => {
        for (const { column, descending } of operator.keys) {
          const x = a[column]!;
          const y = b[column]!;
          if (x !== y) return (x < y ? -1 : 1) * (descending ? -1 : 1);
        }
        return (position.get(a)! - position.get(b)!) * tieDirection;
      });
      return { columns: table.columns, rows };
    }
    case 'take':
      return { columns: table.columns, rows: table.rows.slice(0, operator.count) };
  }
}

/** Evaluates `query`; `source` gives the table a name refers to, or undefined if unknown. */
export function runQuery(query: Query, source: (name: string) => Table | undefined): Table {
  const table = source(query.table);
  if (!table) throw kqlError('SemanticError', `Failed to resolve table or column expression named '${query.table}'`);
  return query.operators.reduce(apply, table);
}
