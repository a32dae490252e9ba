/**
 * Reading a document given as an option value, the way the AWS CLI reads them:
 *
 *   --document '{"Version": ...}'     inline JSON (first non-space character is { or [)
 *   --document file://policy.json     a file; relative to the current directory, ~ expanded
 *   --document ./policy.json          a bare path to an existing file
 *   --document -                      standard input
 *
 * Every failure is an InputError naming the file (resolved path) and how to fix it; nothing here
 * reads more than MAX_DOCUMENT_BYTES (+1, to tell that a file is too large).
 */

import { open, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import { InputError, type InputIssue } from '../errors.js';
import { lineColumnAt, parseJsonStrict, type JsonValue } from './json.js';

export interface LoadedText {
  text: string;
  /** Label for messages: `inline --document`, `file ./policy.json`, `stdin`. */
  source: string;
  /** The resolved path when the text came from a file. */
  path?: string;
}

export interface ReadDocumentOptions {
  /** The option the value was given to, e.g. `--document`. */
  option: string;
  /** Directory relative paths are resolved against (default: process.cwd()). */
  cwd?: string;
  /** Reads all of standard input (default: process.stdin, refused when it is a terminal). */
  readStdin?: () => Promise<Buffer>;
}

/** Largest document read: IAM documents are at most a few KiB; this is a generous cap. */
export const MAX_DOCUMENT_BYTES = 1024 * 1024;

const FORMS =
  "Pass file://PATH or a path to a file, the JSON itself in single quotes (e.g. '{\"Version\": \"2012-10-17\", ...}'), or - to read standard input";

function show(value: string, max = 80): string {
  const s = JSON.stringify(value);
  return s.length > max ? `${s.slice(0, max - 4)}..."` : s;
}

/** Reads the text of a document given as `spec` (see the module comment for the forms). */
export async function readDocumentText(spec: string, opts: ReadDocumentOptions): Promise<LoadedText> {
  const option = opts.option;
  if (typeof spec !== 'string' || spec.trim() === '') {
    throw new InputError(option, { message: 'is empty', fix: FORMS });
  }
  const first = spec.trimStart()[0];
  if (first === '{' || first === '[') {
    const source = `inline ${option}`;
    if (Buffer.byteLength(spec, 'utf8') > MAX_DOCUMENT_BYTES) {
      throw new InputError(source, { message: 'is larger than 1 MiB', fix: 'IAM documents are at most a few KiB; check what was passed' });
    }
    return { text: spec, source };
  }
  if (spec === '-') {
    const source = 'stdin';
    const bytes = await readStdinBytes(opts.readStdin);
    return { text: decodeDocument(bytes, source), source };
  }

  const cwd = opts.cwd ?? process.cwd();
  const fileMatch = /^fileb?:\/\//i.exec(spec);
  if (fileMatch) {
    const given = spec.slice(fileMatch[0].length);
    if (given === '') {
      throw new InputError(option, { message: `${show(spec)} names no file`, fix: 'Write file://PATH, e.g. file://policy.json' });
    }
    const resolved = resolvePath(given, cwd);
    const source = `file ${given}`;
    return { text: await readFileText(resolved, source, cwd), source, path: resolved };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(spec)) {
    throw new InputError(option, {
      message: `${show(spec)} is a URL; only local files are read`,
      fix: 'Download the document and pass it as file://PATH',
    });
  }

  const resolved = resolvePath(spec, cwd);
  const info = await stat(resolved).catch(() => undefined);
  if (info === undefined) {
    throw new InputError(option, {
      message: `${show(spec)} is not an existing file (looked for ${resolved}), and inline JSON must start with { or [`,
      fix: FORMS,
    });
  }
  const source = `file ${spec}`;
  return { text: await readFileText(resolved, source, cwd), source, path: resolved };
}

/** readDocumentText + parseJsonStrict. */
export async function loadJsonDocument(
  spec: string,
  opts: ReadDocumentOptions,
): Promise<{ value: JsonValue; source: string; text: string; path?: string }> {
  const loaded = await readDocumentText(spec, opts);
  const value = parseJsonStrict(loaded.text, loaded.source);
  const out: { value: JsonValue; source: string; text: string; path?: string } = { value, source: loaded.source, text: loaded.text };
  if (loaded.path !== undefined) out.path = loaded.path;
  return out;
}

/** Resolves a user-given path like the AWS CLI: `~` and `~/` are the home directory, relative paths against cwd. */
export function resolvePath(given: string, cwd: string): string {
  let p = given;
  if (p === '~') p = homedir();
  else if (p.startsWith('~/') || p.startsWith('~\\')) p = path.join(homedir(), p.slice(2));
  return path.resolve(cwd, p);
}

function errnoCode(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null && typeof (e as { code?: unknown }).code === 'string'
    ? (e as { code: string }).code
    : undefined;
}

async function readFileText(resolved: string, source: string, cwd: string): Promise<string> {
  const fail = (issue: InputIssue): never => {
    throw new InputError(source, issue);
  };
  let handle;
  try {
    const info = await stat(resolved);
    if (info.isDirectory()) {
      fail({ message: `is a directory (${resolved}), not a file`, fix: 'Name the JSON file inside it' });
    }
    handle = await open(resolved, 'r');
  } catch (e) {
    if (e instanceof InputError) throw e;
    const code = errnoCode(e);
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      fail({
        message: `does not exist (looked for ${resolved})`,
        fix: `Check the path; relative paths are resolved against the current directory ${cwd}`,
      });
    }
    if (code === 'EACCES' || code === 'EPERM') {
      fail({ message: `cannot be read: permission denied (${resolved})`, fix: 'Check the file permissions, e.g. chmod u+r' });
    }
    if (code === 'EISDIR') {
      fail({ message: `is a directory (${resolved}), not a file`, fix: 'Name the JSON file inside it' });
    }
    if (code === 'ENAMETOOLONG') {
      fail({ message: 'has a path that is too long', fix: 'Check the path' });
    }
    fail({ message: `cannot be read (${code ?? String(e)}; ${resolved})`, fix: 'Check the path and the file' });
  }
  let bytes: Buffer;
  try {
    bytes = await readCapped(handle!);
  } catch (e) {
    const code = errnoCode(e);
    if (code === 'EISDIR') fail({ message: `is a directory (${resolved}), not a file`, fix: 'Name the JSON file inside it' });
    if (code === 'EACCES' || code === 'EPERM') {
      fail({ message: `cannot be read: permission denied (${resolved})`, fix: 'Check the file permissions, e.g. chmod u+r' });
    }
    fail({ message: `cannot be read (${code ?? String(e)}; ${resolved})`, fix: 'Check the path and the file' });
  } finally {
    await handle!.close().catch(() => undefined);
  }
  return decodeDocument(bytes!, source);
}

/** Reads up to MAX_DOCUMENT_BYTES + 1 bytes (the extra byte tells that the file is too large). */
async function readCapped(handle: import('node:fs/promises').FileHandle): Promise<Buffer> {
  const buf = Buffer.alloc(MAX_DOCUMENT_BYTES + 1);
  let length = 0;
  while (length < buf.length) {
    const { bytesRead } = await handle.read(buf, length, buf.length - length, null);
    if (bytesRead === 0) break;
    length += bytesRead;
  }
  return buf.subarray(0, length);
}

async function readStdinBytes(readStdin?: () => Promise<Buffer>): Promise<Buffer> {
  if (readStdin) {
    try {
      return await readStdin();
    } catch (e) {
      if (e instanceof InputError) throw e;
      throw new InputError('stdin', { message: `cannot be read (${e instanceof Error ? e.message : String(e)})` });
    }
  }
  if (process.stdin.isTTY) {
    throw new InputError('stdin', {
      message: 'is a terminal, so - has nothing to read',
      fix: 'Pipe the document in (e.g. cat policy.json | ecsprimer ... -), or pass file://PATH',
    });
  }
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of process.stdin) {
    const b = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    chunks.push(b);
    total += b.length;
    if (total > MAX_DOCUMENT_BYTES) break;
  }
  return Buffer.concat(chunks);
}

/** Index of the first byte that is not valid UTF-8, or -1. */
function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i];
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let min: number;
    let cp: number;
    if (b >= 0xc2 && b <= 0xdf) {
      need = 1;
      min = 0x80;
      cp = b & 0x1f;
    } else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      min = 0x800;
      cp = b & 0x0f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      min = 0x10000;
      cp = b & 0x07;
    } else return i;
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined || (c & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += need + 1;
  }
  return -1;
}

/**
 * Turns the bytes of a document into text: refuses empty input, more than MAX_DOCUMENT_BYTES,
 * UTF-16/UTF-32, NUL bytes and invalid UTF-8; strips a UTF-8 BOM.
 */
export function decodeDocument(bytes: Uint8Array, source: string): string {
  const fail = (issue: InputIssue): never => {
    throw new InputError(source, issue);
  };
  if (bytes.length > MAX_DOCUMENT_BYTES) {
    fail({
      message: 'is larger than 1 MiB',
      fix: 'IAM policies are at most 6,144 characters (trust policies 2,048); check that this is the right file',
    });
  }
  const b0 = bytes[0];
  const b1 = bytes[1];
  const b2 = bytes[2];
  const b3 = bytes[3];
  const saveAsUtf8 = 'Save it as UTF-8 (in PowerShell: Out-File -Encoding utf8, or Set-Content -Encoding utf8; elsewhere: iconv -t UTF-8)';
  if (b0 === 0xff && b1 === 0xfe && b2 === 0 && b3 === 0) fail({ message: 'is encoded as UTF-32 (little-endian), not UTF-8', fix: saveAsUtf8 });
  if (b0 === 0 && b1 === 0 && b2 === 0xfe && b3 === 0xff) fail({ message: 'is encoded as UTF-32 (big-endian), not UTF-8', fix: saveAsUtf8 });
  if (b0 === 0xff && b1 === 0xfe) fail({ message: 'is encoded as UTF-16 (little-endian), not UTF-8', fix: saveAsUtf8 });
  if (b0 === 0xfe && b1 === 0xff) fail({ message: 'is encoded as UTF-16 (big-endian), not UTF-8', fix: saveAsUtf8 });

  let start = 0;
  if (b0 === 0xef && b1 === 0xbb && b2 === 0xbf) start = 3;
  const body = bytes.subarray(start);
  if (body.length === 0) fail({ message: 'is empty', fix: 'It must hold one JSON document, e.g. {"Version": "2012-10-17", "Statement": [ ... ]}' });

  const sample = body.subarray(0, 4096);
  let evenNuls = 0;
  let oddNuls = 0;
  for (let i = 0; i < sample.length; i++) {
    if (sample[i] === 0) {
      if (i % 2 === 0) evenNuls++;
      else oddNuls++;
    }
  }
  const half = sample.length / 2;
  const utf16 = (oddNuls >= 0.7 * half && evenNuls <= 0.1 * half) || (evenNuls >= 0.7 * half && oddNuls <= 0.1 * half);
  const utf32 = evenNuls + oddNuls >= 0.6 * sample.length && sample.length >= 4;
  if (utf16 || utf32) {
    fail({ message: `looks like ${utf16 ? 'UTF-16' : 'UTF-32'} text without a byte order mark (it has many NUL bytes), not UTF-8`, fix: saveAsUtf8 });
  }

  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    const bad = Math.max(0, firstInvalidUtf8(body));
    const prefix = new TextDecoder('utf-8').decode(body.subarray(0, bad));
    const { line, column } = lineColumnAt(prefix, prefix.length);
    const byte = body[bad] ?? 0;
    fail({
      line,
      column,
      message: `is not valid UTF-8 text (byte 0x${byte.toString(16).toUpperCase().padStart(2, '0')}); it is a binary file or uses another encoding such as Latin-1 or Windows-1252`,
      fix: saveAsUtf8,
    });
  }
  const nul = text!.indexOf('\u0000');
  if (nul >= 0) {
    const { line, column } = lineColumnAt(text!, nul);
    fail({
      line,
      column,
      message: 'contains a NUL byte; it looks like a binary file, not JSON text',
      fix: 'Pass the JSON document itself, saved as UTF-8 text',
    });
  }
  if (text!.trim() === '') fail({ message: 'is empty (only whitespace)', fix: 'It must hold one JSON document, e.g. {"Version": "2012-10-17", "Statement": [ ... ]}' });
  return text!;
}
