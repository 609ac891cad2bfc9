import { StringDecoder } from 'node:string_decoder';

/** Docker's json-file log driver also cuts lines at 16 KiB; it bounds memory for output without newlines. */
export const MAX_LINE_CHARS = 16 * 1024;

/** Turns a byte stream into lines without their `\n` (UTF-8 safe across chunk borders). */
export class LineSplitter {
  #decoder = new StringDecoder('utf8');
  #partial = '';

  push(chunk: Buffer): string[] {
    this.#partial += this.#decoder.write(chunk);
    const lines: string[] = [];
    let newline = this.#partial.indexOf('\n');
    while (newline >= 0) {
      lines.push(...this.#cut(this.#partial.slice(0, newline)));
      this.#partial = this.#partial.slice(newline + 1);
      newline = this.#partial.indexOf('\n');
    }
    while (this.#partial.length >= MAX_LINE_CHARS) {
      lines.push(this.#partial.slice(0, MAX_LINE_CHARS));
      this.#partial = this.#partial.slice(MAX_LINE_CHARS);
    }
    return lines;
  }

  /** The last line when the stream ended without a newline. */
  flush(): string[] {
    const rest = this.#partial + this.#decoder.end();
    this.#partial = '';
    return rest === '' ? [] : this.#cut(rest);
  }

  #cut(line: string): string[] {
    if (line.length <= MAX_LINE_CHARS) return [line];
    const parts: string[] = [];
    for (let i = 0; i < line.length; i += MAX_LINE_CHARS) parts.push(line.slice(i, i + MAX_LINE_CHARS));
    return parts;
  }
}
