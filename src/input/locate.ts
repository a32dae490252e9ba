/**
 * Where a JSON path is in a document's text: the line and column of the value at
 * `policies["p"].document.Statement[0]`, so that an error found after parsing (a reference to
 * nothing, a wrong value) is shown where the editor shows it. The text is already known to be
 * valid JSON (parseJsonStrict accepted it); anything unexpected gives undefined.
 */
import { lineColumnAt } from './json.js';

/** `a.b["c-d"][0]` → ['a', 'b', 'c-d', 0]; undefined for anything else. */
export function parsePath(path: string): Array<string | number> | undefined {
  const parts: Array<string | number> = [];
  const re = /(?:^|\.)([A-Za-z_$][\w$]*)|\["((?:[^"\\]|\\.)*)"\]|\[(\d+)\]/y;
  let at = 0;
  while (at < path.length) {
    re.lastIndex = at;
    const m = re.exec(path);
    if (!m) return undefined;
    parts.push(m[1] ?? (m[2] !== undefined ? (JSON.parse(`"${m[2]}"`) as string) : Number(m[3])));
    at = re.lastIndex;
  }
  return parts;
}

/** Line and column (1-based) of the value at `path` in `text`. */
export function locate(text: string, path: ReadonlyArray<string | number>): { line: number; column: number } | undefined {
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const ws = () => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
  };
  const string = (): string => {
    let j = i + 1;
    while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
    const s = JSON.parse(text.slice(i, j + 1)) as string;
    i = j + 1;
    return s;
  };
  const skip = () => {
    ws();
    if (text[i] === '"') return void string();
    if (text[i] === '{' || text[i] === '[') {
      let depth = 0;
      do {
        if (text[i] === '"') {
          string();
          continue;
        }
        if (text[i] === '{' || text[i] === '[') depth++;
        else if (text[i] === '}' || text[i] === ']') depth--;
        i++;
      } while (depth > 0 && i < text.length);
      return;
    }
    while (i < text.length && !',}] \t\r\n'.includes(text[i])) i++;
  };
  const find = (depth: number): number | undefined => {
    ws();
    if (depth === path.length) return i;
    const want = path[depth];
    if (text[i] === '{' && typeof want === 'string') {
      i++;
      for (ws(); i < text.length && text[i] !== '}'; ws()) {
        const key = string();
        ws();
        i++; // :
        if (key === want) return find(depth + 1);
        skip();
        ws();
        if (text[i] === ',') i++;
      }
      return undefined;
    }
    if (text[i] === '[' && typeof want === 'number') {
      i++;
      for (let n = 0, _ = ws(); i < text.length && text[i] !== ']'; n++, ws()) {
        void _;
        if (n === want) return find(depth + 1);
        skip();
        ws();
        if (text[i] === ',') i++;
      }
      return undefined;
    }
    return undefined;
  };
  try {
    const index = find(0);
    if (index === undefined) return undefined;
    const pos = lineColumnAt(text, index);
    return text.charCodeAt(0) === 0xfeff && pos.line === 1 ? { line: 1, column: pos.column - 1 } : pos;
  } catch {
    return undefined;
  }
}
