/**
 * A strict JSON parser that reports positions.
 *
 * JSON.parse says "Unexpected token } in JSON at position 212"; IAM says "MalformedPolicyDocument".
 * This parser accepts exactly what JSON.parse accepts (plus a leading UTF-8 BOM), refuses duplicate
 * keys (IAM would silently keep only one of them), and explains every refusal with a 1-based line
 * and column, what is wrong and how to fix it.
 *
 * Recursion is limited to MAX_DEPTH levels of arrays/objects, so no input can overflow the stack,
 * and the work is linear in the input: nothing can hang.
 */

import { InputError, type InputIssue } from '../errors.js';

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** Deepest nesting of arrays/objects accepted (IAM documents are a handful of levels deep). */
export const MAX_DEPTH = 256;

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** Renders a path as `Statement[0].Principal.AWS`; keys that are not identifiers as `["a b"]`. */
export function jsonPathOf(parts: ReadonlyArray<string | number>): string {
  let out = '';
  for (const part of parts) {
    if (typeof part === 'number') out += `[${part}]`;
    else if (IDENTIFIER.test(part)) out += out === '' ? part : `.${part}`;
    else out += `[${JSON.stringify(part)}]`;
  }
  return out;
}

/**
 * Sets an own, enumerable property, so that keys such as `__proto__` are ordinary data (as with
 * JSON.parse) and never change an object's prototype.
 */
export function setOwn(obj: { [key: string]: JsonValue }, key: string, value: JsonValue): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

/** True for a JSON object (not null, not an array). */
export function isJsonObject(value: unknown): value is { [key: string]: JsonValue } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Own property lookup that is safe for keys like `__proto__` or `constructor`. */
export function getOwn(obj: { [key: string]: JsonValue }, key: string): JsonValue | undefined {
  return Object.prototype.hasOwnProperty.call(obj, key) ? obj[key] : undefined;
}

export function hasOwn(obj: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(obj, key);
}

/** 1-based line and column (in characters) of a UTF-16 index; \n, \r\n and \r end lines. */
export function lineColumnAt(text: string, index: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(index, text.length);
  for (let i = 0; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) {
      line++;
      lineStart = i + 1;
    } else if (c === 13) {
      if (text.charCodeAt(i + 1) === 10 && i + 1 < end) i++;
      line++;
      lineStart = i + 1;
    }
  }
  let column = 1;
  for (let i = lineStart; i < end; i++) {
    const c = text.charCodeAt(i);
    // A surrogate pair is one character.
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < end) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    column++;
  }
  return { line, column };
}

const CHAR_NAMES: Record<number, string> = {
  0x00: 'NUL',
  0x09: 'tab',
  0x0a: 'line feed',
  0x0b: 'vertical tab',
  0x0c: 'form feed',
  0x0d: 'carriage return',
  0x20: 'space',
  0x7f: 'DEL',
  0x85: 'next line',
  0xa0: 'no-break space',
  0x1680: 'ogham space mark',
  0x2000: 'en quad',
  0x2001: 'em quad',
  0x2002: 'en space',
  0x2003: 'em space',
  0x2009: 'thin space',
  0x200a: 'hair space',
  0x200b: 'zero-width space',
  0x200c: 'zero-width non-joiner',
  0x200d: 'zero-width joiner',
  0x2028: 'line separator',
  0x2029: 'paragraph separator',
  0x202f: 'narrow no-break space',
  0x205f: 'medium mathematical space',
  0x3000: 'ideographic space',
  0xfeff: 'byte order mark / zero-width no-break space',
};

function hex4(code: number): string {
  return code.toString(16).toUpperCase().padStart(4, '0');
}

/** How to show one character in a message: `x`, or U+00A0 (no-break space) for invisible ones. */
export function describeChar(ch: string): string {
  const code = ch.codePointAt(0) ?? 0;
  const name = CHAR_NAMES[code];
  if (name) return `U+${hex4(code)} (${name})`;
  if (code < 0x20 || (code >= 0x7f && code < 0xa0) || (code >= 0xd800 && code <= 0xdfff)) return `U+${hex4(code)}`;
  if (/\s/u.test(ch)) return `U+${hex4(code)} (a space character)`;
  return `\`${ch}\``;
}

function isInvisible(code: number): boolean {
  return CHAR_NAMES[code] !== undefined || /\s/u.test(String.fromCharCode(code));
}

const CURLY_QUOTES = new Set([0x201c, 0x201d, 0x201e, 0x201f, 0x2033, 0x00ab, 0x00bb]);
const CURLY_SINGLE_QUOTES = new Set([0x2018, 0x2019, 0x201a, 0x201b, 0x2032]);

const VALID_ESCAPES = 'Valid escapes are \\" \\\\ \\/ \\b \\f \\n \\r \\t and \\uXXXX; write \\\\ for a backslash';

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}
function isWordStart(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 36;
}
function isWordChar(c: number): boolean {
  return isWordStart(c) || isDigit(c) || c === 45;
}

type Path = Array<string | number>;

class Parser {
  private pos = 0;

  constructor(
    private readonly text: string,
    private readonly source: string,
  ) {}

  parse(): JsonValue {
    if (this.text.charCodeAt(0) === 0xfeff) this.pos = 1;
    this.skipWhitespace();
    if (this.pos >= this.text.length) {
      throw new InputError(this.source, {
        message: 'is empty',
        fix: 'It must hold one JSON document, e.g. {"Version": "2012-10-17", "Statement": [ ... ]}',
      });
    }
    const value = this.parseValue(0, []);
    this.skipWhitespace();
    if (this.pos < this.text.length) this.trailingGarbage();
    return value;
  }

  // ---- errors -------------------------------------------------------------------------------

  private fail(index: number, message: string, fix?: string, path?: Path): never {
    // Positions are reported relative to the text without its BOM: editors do not show it.
    const { line, column } = lineColumnAt(this.text, index);
    const bom = this.text.charCodeAt(0) === 0xfeff && line === 1 ? 1 : 0;
    const issue: InputIssue = { line, column: Math.max(1, column - bom), message };
    if (fix) issue.fix = fix;
    if (path && path.length > 0) issue.field = jsonPathOf(path);
    throw new InputError(this.source, issue);
  }

  private at(index: number): string {
    const { line, column } = lineColumnAt(this.text, index);
    const bom = this.text.charCodeAt(0) === 0xfeff && line === 1 ? 1 : 0;
    return `line ${line}, column ${Math.max(1, column - bom)}`;
  }

  private truncated(what: string, path: Path): never {
    this.fail(
      this.text.length,
      `ends before the document is complete: ${what}`,
      'Check that the whole document was saved or pasted (quotes in a shell argument often cut it short)',
      path,
    );
  }

  private charAt(index: number): string {
    return String.fromCodePoint(this.text.codePointAt(index) ?? 0);
  }

  /** An unexpected character where `expected` was due. */
  private unexpected(expected: string, path: Path): never {
    const c = this.text.charCodeAt(this.pos);
    const ch = this.charAt(this.pos);
    if (CURLY_QUOTES.has(c) || CURLY_SINGLE_QUOTES.has(c)) {
      this.fail(
        this.pos,
        `found the typographic quote ${ch} where ${expected} was expected`,
        'Use straight double quotes ("); word processors and chat tools replace them with curly quotes',
        path,
      );
    }
    if (isInvisible(c)) {
      this.fail(
        this.pos,
        `found the invisible character ${describeChar(ch)} where ${expected} was expected`,
        'Replace it with an ordinary space; it usually comes from copying text out of a web page or a document',
        path,
      );
    }
    this.fail(this.pos, `expected ${expected} but found ${describeChar(ch)}`, undefined, path);
  }

  private trailingGarbage(): never {
    const c = this.text.charCodeAt(this.pos);
    if (c === 125 || c === 93) {
      this.fail(
        this.pos,
        `found an extra ${describeChar(this.charAt(this.pos))} after the end of the JSON document`,
        'Remove it, or check that every { and [ is closed exactly once',
      );
    }
    if (c === 44 || c === 123 || c === 91) {
      this.fail(
        this.pos,
        `found ${describeChar(this.charAt(this.pos))} after the end of the JSON document`,
        'A document holds exactly one JSON value; to give several statements put them in one "Statement": [ ... ] array',
      );
    }
    if (isInvisible(c) || CURLY_QUOTES.has(c) || CURLY_SINGLE_QUOTES.has(c)) {
      this.unexpected('the end of the document', []);
    }
    this.fail(
      this.pos,
      `found ${describeChar(this.charAt(this.pos))} after the end of the JSON document`,
      'Remove everything after the closing bracket; a document holds exactly one JSON value',
    );
  }

  // ---- lexing -------------------------------------------------------------------------------

  private skipWhitespace(): void {
    const text = this.text;
    for (;;) {
      const c = text.charCodeAt(this.pos);
      if (c === 32 || c === 9 || c === 10 || c === 13) {
        this.pos++;
        continue;
      }
      if (c === 47) {
        const next = text.charCodeAt(this.pos + 1);
        if (next === 47 || next === 42) {
          this.fail(
            this.pos,
            `JSON does not allow comments (found ${next === 47 ? '//' : '/*'})`,
            'Remove the comment; to describe a statement, use its "Sid"',
          );
        }
      }
      return;
    }
  }

  private readWord(): string {
    const start = this.pos;
    let end = start;
    while (end < this.text.length && isWordChar(this.text.charCodeAt(end))) end++;
    return this.text.slice(start, end);
  }

  // ---- values -------------------------------------------------------------------------------

  private parseValue(depth: number, path: Path): JsonValue {
    this.skipWhitespace();
    if (this.pos >= this.text.length) this.truncated('a value is missing at the end', path);
    const c = this.text.charCodeAt(this.pos);
    switch (c) {
      case 123: // {
        return this.parseObject(depth + 1, path);
      case 91: // [
        return this.parseArray(depth + 1, path);
      case 34: // "
        return this.parseString(path);
      case 45: // -
      case 48:
      case 49:
      case 50:
      case 51:
      case 52:
      case 53:
      case 54:
      case 55:
      case 56:
      case 57:
        return this.parseNumber(path);
      case 39: // '
        return this.fail(
          this.pos,
          'strings must be in double quotes, not single quotes',
          `Write "..." instead of '...'`,
          path,
        );
      case 43: // +
        return this.fail(this.pos, 'numbers cannot start with +', 'Remove the +', path);
      case 46: // .
        return this.fail(this.pos, 'numbers cannot start with a decimal point', 'Write 0.5 instead of .5', path);
      case 44: // ,
        return this.fail(this.pos, 'expected a value but found `,`', 'Remove the extra comma, or put a value before it', path);
      case 125: // }
      case 93: // ]
        return this.fail(
          this.pos,
          `expected a value but found ${describeChar(this.charAt(this.pos))}`,
          'Put a value (a "string", a number, true, false, null, an object or an array) before it',
          path,
        );
    }
    if (isWordStart(c)) return this.parseWord(path);
    this.unexpected('a value', path);
  }

  private parseWord(path: Path): JsonValue {
    const start = this.pos;
    const word = this.readWord();
    if (word === 'true' || word === 'false' || word === 'null') {
      this.pos += word.length;
      return word === 'true' ? true : word === 'false' ? false : null;
    }
    if (this.pos + word.length >= this.text.length && ['true', 'false', 'null'].some((w) => w.startsWith(word))) {
      this.truncated(`\`${word}\` is cut short`, path);
    }
    const lower = word.toLowerCase();
    if (lower === 'true' || lower === 'false' || lower === 'null') {
      this.fail(start, `\`${word}\` is not a JSON value`, `JSON literals are lowercase: write ${lower}`, path);
    }
    if (word === 'None' || word === 'nil' || word === 'undefined') {
      this.fail(start, `\`${word}\` is not a JSON value`, 'Write null, or remove the property', path);
    }
    if (word === 'NaN' || word === 'Infinity') {
      this.fail(start, `${word} is not a JSON value`, 'Use a finite number, null, or a "string"', path);
    }
    const shown = word.length > 40 ? `${word.slice(0, 40)}...` : word;
    this.fail(
      start,
      `unquoted text \`${shown}\`: strings must be in double quotes`,
      `Write "${shown}"`,
      path,
    );
  }

  private parseNumber(path: Path): number {
    const text = this.text;
    const start = this.pos;
    let i = start;
    if (text.charCodeAt(i) === 45) {
      i++;
      if (i >= text.length) {
        this.pos = i;
        this.truncated('a number is cut short after `-`', path);
      }
      if (text.startsWith('Infinity', i)) {
        this.fail(start, '-Infinity is not a JSON value', 'Use a finite number, null, or a "string"', path);
      }
      if (!isDigit(text.charCodeAt(i))) {
        this.fail(start, 'invalid number: `-` must be followed by a digit', undefined, path);
      }
    }
    if (text.charCodeAt(i) === 48) {
      i++;
      const next = text.charCodeAt(i);
      if (isDigit(next)) {
        let j = i;
        while (isDigit(text.charCodeAt(j))) j++;
        const literal = text.slice(start, j);
        this.fail(
          start,
          `numbers cannot have leading zeros (found ${literal})`,
          `Write ${literal.replace(/^(-?)0+(?=\d)/, '$1')}, or "${literal}" in quotes if it is an identifier such as an account id`,
          path,
        );
      }
      if (next === 120 || next === 88) {
        this.fail(start, 'hexadecimal numbers are not allowed in JSON', 'Write the number in decimal', path);
      }
    } else {
      while (isDigit(text.charCodeAt(i))) i++;
    }
    if (text.charCodeAt(i) === 46) {
      i++;
      if (i >= text.length) {
        this.pos = i;
        this.truncated('a number is cut short after the decimal point', path);
      }
      if (!isDigit(text.charCodeAt(i))) {
        this.fail(start, 'invalid number: a digit must follow the decimal point', 'Write 1.0 or 1, not 1.', path);
      }
      while (isDigit(text.charCodeAt(i))) i++;
    }
    const e = text.charCodeAt(i);
    if (e === 101 || e === 69) {
      i++;
      const sign = text.charCodeAt(i);
      if (sign === 43 || sign === 45) i++;
      if (i >= text.length) {
        this.pos = i;
        this.truncated('a number is cut short in its exponent', path);
      }
      if (!isDigit(text.charCodeAt(i))) {
        this.fail(start, 'invalid number: the exponent needs digits', 'Write e.g. 1e3', path);
      }
      while (isDigit(text.charCodeAt(i))) i++;
    }
    this.pos = i;
    return Number(text.slice(start, i));
  }

  private parseString(path: Path): string {
    const text = this.text;
    const start = this.pos;
    let i = start + 1;
    let out = '';
    let chunk = i;
    for (;;) {
      if (i >= text.length) {
        this.pos = i;
        this.truncated(`the string that starts at ${this.at(start)} is not closed`, path);
      }
      const c = text.charCodeAt(i);
      if (c === 34) {
        out += text.slice(chunk, i);
        this.pos = i + 1;
        return out;
      }
      if (c === 92) {
        out += text.slice(chunk, i);
        const e = text.charCodeAt(i + 1);
        if (i + 1 >= text.length) {
          this.pos = i + 1;
          this.truncated(`the string that starts at ${this.at(start)} is not closed`, path);
        }
        switch (e) {
          case 34:
            out += '"';
            break;
          case 92:
            out += '\\';
            break;
          case 47:
            out += '/';
            break;
          case 98:
            out += '\b';
            break;
          case 102:
            out += '\f';
            break;
          case 110:
            out += '\n';
            break;
          case 114:
            out += '\r';
            break;
          case 116:
            out += '\t';
            break;
          case 117: {
            let code = 0;
            for (let k = 0; k < 4; k++) {
              const h = text.charCodeAt(i + 2 + k);
              if (i + 2 + k >= text.length) {
                this.pos = text.length;
                this.truncated(`the string that starts at ${this.at(start)} is not closed`, path);
              }
              if (!isHex(h)) {
                this.fail(
                  i,
                  `invalid escape \\u${text.slice(i + 2, i + 2 + k)}: \\u needs exactly 4 hexadecimal digits`,
                  `${VALID_ESCAPES}`,
                  path,
                );
              }
              code = code * 16 + parseInt(text[i + 2 + k], 16);
            }
            out += String.fromCharCode(code);
            i += 4;
            break;
          }
          default: {
            const ch = this.charAt(i + 1);
            const shown = e < 0x20 || isInvisible(e) ? describeChar(ch) : ch;
            this.fail(i, `invalid escape \\${shown} in a string`, VALID_ESCAPES, path);
          }
        }
        i += 2;
        chunk = i;
        continue;
      }
      if (c < 0x20) {
        if (c === 10 || c === 13) {
          this.fail(
            i,
            `line break inside the string that starts at ${this.at(start)} (is its closing " missing?)`,
            'Close the string with " before the end of the line, or write \\n for a line break inside it',
            path,
          );
        }
        if (c === 9) {
          this.fail(i, 'raw tab character inside a string', 'Write \\t instead of the tab', path);
        }
        this.fail(
          i,
          `raw control character ${describeChar(text[i])} inside a string`,
          `Remove it, or write it as \\u${hex4(c)}`,
          path,
        );
      }
      i++;
    }
  }

  private parseArray(depth: number, path: Path): JsonValue[] {
    const open = this.pos;
    if (depth > MAX_DEPTH) this.tooDeep(path);
    this.pos++;
    const out: JsonValue[] = [];
    this.skipWhitespace();
    if (this.text.charCodeAt(this.pos) === 93) {
      this.pos++;
      return out;
    }
    for (;;) {
      this.skipWhitespace();
      if (this.pos >= this.text.length) this.truncated(`the array opened at ${this.at(open)} is not closed with ]`, path);
      const itemPath = [...path, out.length];
      out.push(this.parseValue(depth, itemPath));
      this.skipWhitespace();
      if (this.pos >= this.text.length) this.truncated(`the array opened at ${this.at(open)} is not closed with ]`, path);
      const c = this.text.charCodeAt(this.pos);
      if (c === 93) {
        this.pos++;
        return out;
      }
      if (c === 44) {
        const comma = this.pos;
        this.pos++;
        this.skipWhitespace();
        if (this.text.charCodeAt(this.pos) === 93) {
          this.fail(comma, 'trailing comma: JSON does not allow a comma after the last element', 'Remove the comma before ]', path);
        }
        continue;
      }
      if (c === 34 || c === 123 || c === 91 || isDigit(c) || c === 45 || isWordStart(c)) {
        this.fail(this.pos, 'missing comma between array elements', 'Add a , after the previous element', itemPath);
      }
      if (c === 125) {
        this.fail(
          this.pos,
          `found } but the array opened at ${this.at(open)} is still open`,
          'Close the array with ] first',
          path,
        );
      }
      this.unexpected('`,` or `]`', path);
    }
  }

  private parseObject(depth: number, path: Path): { [key: string]: JsonValue } {
    const open = this.pos;
    if (depth > MAX_DEPTH) this.tooDeep(path);
    this.pos++;
    const out: { [key: string]: JsonValue } = {};
    const seen = new Map<string, number>();
    this.skipWhitespace();
    if (this.text.charCodeAt(this.pos) === 125) {
      this.pos++;
      return out;
    }
    for (;;) {
      this.skipWhitespace();
      if (this.pos >= this.text.length) this.truncated(`the object opened at ${this.at(open)} is not closed with }`, path);
      const keyStart = this.pos;
      const c = this.text.charCodeAt(this.pos);
      if (c !== 34) this.badKey(c, path);
      const key = this.parseString(path);
      const keyPath = [...path, key];
      const first = seen.get(key);
      if (first !== undefined) {
        const { line } = lineColumnAt(this.text, first);
        this.fail(
          keyStart,
          `duplicate key ${JSON.stringify(key)} (first at line ${line}): IAM would keep only one of them`,
          'Remove one of the two, or merge them into one',
          keyPath,
        );
      }
      seen.set(key, keyStart);
      this.skipWhitespace();
      if (this.pos >= this.text.length) this.truncated(`the object opened at ${this.at(open)} is not closed with }`, path);
      if (this.text.charCodeAt(this.pos) !== 58) {
        const d = this.text.charCodeAt(this.pos);
        if (d === 61) {
          this.fail(this.pos, `expected : after the key ${JSON.stringify(key)} but found =`, 'Write "key": value', keyPath);
        }
        if (d === 44 || d === 125) {
          this.fail(this.pos, `the key ${JSON.stringify(key)} has no value`, `Write ${JSON.stringify(key)}: value`, keyPath);
        }
        if (this.pos < this.text.length && (d === 34 || isDigit(d) || d === 123 || d === 91 || isWordStart(d))) {
          this.fail(this.pos, `missing : after the key ${JSON.stringify(key)}`, `Write ${JSON.stringify(key)}: value`, keyPath);
        }
        this.unexpected(`: after the key ${JSON.stringify(key)}`, keyPath);
      }
      this.pos++;
      const value = this.parseValue(depth, keyPath);
      setOwn(out, key, value);
      this.skipWhitespace();
      if (this.pos >= this.text.length) this.truncated(`the object opened at ${this.at(open)} is not closed with }`, path);
      const d = this.text.charCodeAt(this.pos);
      if (d === 125) {
        this.pos++;
        return out;
      }
      if (d === 44) {
        const comma = this.pos;
        this.pos++;
        this.skipWhitespace();
        if (this.text.charCodeAt(this.pos) === 125) {
          this.fail(comma, 'trailing comma: JSON does not allow a comma after the last property', 'Remove the comma before }', path);
        }
        continue;
      }
      if (d === 34 || isWordStart(d) || d === 39) {
        this.fail(this.pos, 'missing comma between properties', `Add a , after the value of ${JSON.stringify(key)}`, keyPath);
      }
      if (d === 93) {
        this.fail(this.pos, `found ] but the object opened at ${this.at(open)} is still open`, 'Close the object with } first', path);
      }
      this.unexpected('`,` or `}`', keyPath);
    }
  }

  private badKey(c: number, path: Path): never {
    if (c === 39) {
      this.fail(this.pos, 'keys must be in double quotes, not single quotes', `Write "key" instead of 'key'`, path);
    }
    if (isWordStart(c) || isDigit(c)) {
      const word = this.readWord() || this.text.slice(this.pos, this.pos + 1);
      const shown = word.length > 40 ? `${word.slice(0, 40)}...` : word;
      this.fail(this.pos, `the key \`${shown}\` must be in double quotes`, `Write "${shown}"`, path);
    }
    if (c === 125) {
      // `{"a": 1, }` is caught by the caller; this is `{ , }` style input.
      this.fail(this.pos, 'expected a key but found }', 'Remove the comma before }', path);
    }
    this.unexpected('a key in double quotes', path);
  }

  private tooDeep(path: Path): never {
    this.fail(
      this.pos,
      `nested too deeply (more than ${MAX_DEPTH} levels of arrays and objects)`,
      'A policy document needs only a few levels; check for unbalanced brackets',
      path,
    );
  }
}

/**
 * Parses `text` as one JSON document. A leading UTF-8 BOM is ignored. Throws an InputError with
 * line and column for anything JSON.parse would refuse, for duplicate keys, and for nesting deeper
 * than MAX_DEPTH. `source` names the input in messages (`file ./policy.json`, `stdin`...).
 */
export function parseJsonStrict(text: string, source: string): JsonValue {
  if (typeof text !== 'string') {
    throw new InputError(source, { message: 'is not text', fix: 'Pass the document as a string of JSON' });
  }
  return new Parser(text, source).parse();
}

/**
 * JSON with the keys of every object sorted, so that equal documents give equal text: compact for
 * comparisons, with `indent` for the diffs shown at a confirmation.
 */
export function canonicalJson(value: unknown, indent?: number): string {
  const sort = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sort);
    if (v && typeof v === 'object') {
      const out: { [key: string]: JsonValue } = {};
      for (const k of Object.keys(v).sort()) setOwn(out, k, sort((v as Record<string, unknown>)[k]) as JsonValue);
      return out;
    }
    return v;
  };
  return JSON.stringify(sort(value), null, indent) ?? 'null';
}
