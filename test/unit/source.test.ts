import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { InputError } from '../../src/errors.js';
import { loadJsonDocument, MAX_DOCUMENT_BYTES, readDocumentText } from '../../src/input/source.js';

// open() of a file named "mocked-eacces.json" fails with EACCES: tests run as root in CI, where
// chmod 000 does not stop reads.
vi.mock('node:fs/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs/promises')>();
  const open = ((p: Parameters<typeof actual.open>[0], ...rest: unknown[]) =>
    String(p).endsWith('mocked-eacces.json')
      ? Promise.reject(Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' }))
      : (actual.open as (...a: unknown[]) => ReturnType<typeof actual.open>)(p, ...rest)) as typeof actual.open;
  return { ...actual, open, default: { ...actual, open } };
});

let dir: string;
let home: string;
const savedHome = process.env.HOME;
const opts = () => ({ option: '--document', cwd: dir });

async function refused(spec: string, o: Parameters<typeof readDocumentText>[1] = opts()): Promise<InputError> {
  try {
    await readDocumentText(spec, o);
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return e as InputError;
  }
  throw new Error(`expected ${spec} to be refused`);
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'ecsprimer-source-'));
  home = path.join(dir, 'home');
  await mkdir(home);
  process.env.HOME = home;
  await writeFile(path.join(dir, 'policy.json'), '{"Version": "2012-10-17"}\n');
  await writeFile(path.join(home, 'mine.json'), '{"mine": true}');
  await mkdir(path.join(dir, 'sub'));
  await writeFile(path.join(dir, 'sub', 'p.json'), '[1]');
  await writeFile(path.join(dir, 'empty.json'), '');
  await writeFile(path.join(dir, 'blank.json'), ' \n\t\n');
  await writeFile(path.join(dir, 'bom.json'), Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"a": 1}')]));
  await writeFile(path.join(dir, 'bom-only.json'), Buffer.from([0xef, 0xbb, 0xbf]));
  await writeFile(path.join(dir, 'utf16le.json'), Buffer.from('\ufeff{"a": 1}', 'utf16le'));
  await writeFile(path.join(dir, 'utf16be.json'), Buffer.from([0xfe, 0xff, 0x00, 0x7b, 0x00, 0x7d]));
  await writeFile(path.join(dir, 'utf32le.json'), Buffer.from([0xff, 0xfe, 0, 0, 0x7b, 0, 0, 0, 0x7d, 0, 0, 0]));
  await writeFile(path.join(dir, 'utf32be.json'), Buffer.from([0, 0, 0xfe, 0xff, 0, 0, 0, 0x7b, 0, 0, 0, 0x7d]));
  await writeFile(path.join(dir, 'utf16-nobom.json'), Buffer.from('{"Version": "2012-10-17"}', 'utf16le'));
  await writeFile(path.join(dir, 'utf32-nobom.json'), Buffer.from([0x7b, 0, 0, 0, 0x7d, 0, 0, 0]));
  await writeFile(path.join(dir, 'latin1.json'), Buffer.from('{\n  "a": "caf\xe9"\n}', 'latin1'));
  await writeFile(path.join(dir, 'image.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]));
  await writeFile(path.join(dir, 'nul.json'), Buffer.from('{"a": "x\u0000y", "long": "' + 'z'.repeat(100) + '"}'));
  await writeFile(path.join(dir, 'big.json'), Buffer.alloc(MAX_DOCUMENT_BYTES + 10, 0x20));
  await writeFile(path.join(dir, 'exactly-max.json'), Buffer.concat([Buffer.from('{}'), Buffer.alloc(MAX_DOCUMENT_BYTES - 2, 0x20)]));
  await writeFile(path.join(dir, 'mocked-eacces.json'), '{}');
  await writeFile(path.join(dir, 'chmod-000.json'), '{}');
  await chmod(path.join(dir, 'chmod-000.json'), 0o000);
  await writeFile(path.join(dir, 'broken.json'), '{"a": 1,}');
});

afterAll(async () => {
  process.env.HOME = savedHome;
  await rm(dir, { recursive: true, force: true });
});

describe('readDocumentText: the forms', () => {
  it.each([
    { spec: '{"a": 1}', text: '{"a": 1}' },
    { spec: '  \n {"a": 1}', text: '  \n {"a": 1}' },
    { spec: '[1, 2]', text: '[1, 2]' },
    { spec: '{not json yet', text: '{not json yet' },
  ])('inline JSON $spec', async ({ spec, text }) => {
    expect(await readDocumentText(spec, opts())).toEqual({ text, source: 'inline --document' });
  });

  it('file:// with a relative path resolves against cwd', async () => {
    const r = await readDocumentText('file://policy.json', opts());
    expect(r).toEqual({ text: '{"Version": "2012-10-17"}\n', source: 'file policy.json', path: path.join(dir, 'policy.json') });
  });

  it.each(['file://./sub/p.json', 'file://sub/p.json', 'sub/p.json', './sub/p.json'])('%s', async (spec) => {
    const r = await readDocumentText(spec, opts());
    expect(r.text).toBe('[1]');
    expect(r.path).toBe(path.join(dir, 'sub', 'p.json'));
  });

  it('file:// with an absolute path', async () => {
    const abs = path.join(dir, 'policy.json');
    const r = await readDocumentText(`file://${abs}`, { option: '--document', cwd: '/' });
    expect(r.source).toBe(`file ${abs}`);
    expect(r.path).toBe(abs);
  });

  it('file://~/x expands the home directory', async () => {
    const r = await readDocumentText('file://~/mine.json', opts());
    expect(r.text).toBe('{"mine": true}');
    expect(r.path).toBe(path.join(home, 'mine.json'));
  });

  it('a bare path to an existing file', async () => {
    const r = await readDocumentText('policy.json', opts());
    expect(r.source).toBe('file policy.json');
    expect(r.text).toContain('2012-10-17');
  });

  it('- reads stdin', async () => {
    const r = await readDocumentText('-', { ...opts(), readStdin: async () => Buffer.from('{"from": "stdin"}') });
    expect(r).toEqual({ text: '{"from": "stdin"}', source: 'stdin' });
  });

  it('strips a UTF-8 BOM', async () => {
    expect((await readDocumentText('file://bom.json', opts())).text).toBe('{"a": 1}');
    const r = await readDocumentText('-', { ...opts(), readStdin: async () => Buffer.from('\ufeff[]') });
    expect(r.text).toBe('[]');
  });

  it('reads a file of exactly 1 MiB', async () => {
    expect((await readDocumentText('exactly-max.json', opts())).text.length).toBe(MAX_DOCUMENT_BYTES);
  });

  it('uses process.cwd() by default', async () => {
    const r = await readDocumentText(`file://${path.relative(process.cwd(), path.join(dir, 'policy.json'))}`, { option: '--document' });
    expect(r.path).toBe(path.join(dir, 'policy.json'));
  });
});

describe('readDocumentText: refusals', () => {
  it.each([
    // [spec, source, message part, fix part]
    { spec: 'file://missing.json', source: 'file missing.json', message: 'does not exist (looked for <dir>/missing.json)', fix: 'relative paths are resolved against the current directory <dir>' },
    { spec: 'file://sub', source: 'file sub', message: 'is a directory', fix: 'Name the JSON file' },
    { spec: 'sub', source: 'file sub', message: 'is a directory', fix: '' },
    { spec: 'file://empty.json', source: 'file empty.json', message: 'is empty', fix: 'JSON document' },
    { spec: 'file://blank.json', source: 'file blank.json', message: 'is empty', fix: '' },
    { spec: 'file://bom-only.json', source: 'file bom-only.json', message: 'is empty', fix: '' },
    { spec: 'file://big.json', source: 'file big.json', message: 'larger than 1 MiB', fix: '' },
    { spec: 'file://utf16le.json', source: 'file utf16le.json', message: 'UTF-16 (little-endian)', fix: 'Save it as UTF-8' },
    { spec: 'file://utf16be.json', source: 'file utf16be.json', message: 'UTF-16 (big-endian)', fix: 'Save it as UTF-8' },
    { spec: 'file://utf32le.json', source: 'file utf32le.json', message: 'UTF-32 (little-endian)', fix: 'Save it as UTF-8' },
    { spec: 'file://utf32be.json', source: 'file utf32be.json', message: 'UTF-32 (big-endian)', fix: 'Save it as UTF-8' },
    { spec: 'file://utf16-nobom.json', source: 'file utf16-nobom.json', message: 'UTF-16 text without a byte order mark', fix: 'Save it as UTF-8' },
    { spec: 'file://latin1.json', source: 'file latin1.json', message: 'not valid UTF-8 text (byte 0xE9)', fix: 'Save it as UTF-8' },
    { spec: 'file://image.png', source: 'file image.png', message: 'not valid UTF-8', fix: '' },
    { spec: 'file://nul.json', source: 'file nul.json', message: 'contains a NUL byte', fix: 'UTF-8 text' },
    { spec: 'file://utf32-nobom.json', source: 'file utf32-nobom.json', message: 'UTF-32 text without a byte order mark', fix: 'Save it as UTF-8' },
    { spec: 'file://mocked-eacces.json', source: 'file mocked-eacces.json', message: 'cannot be read: permission denied (<dir>/mocked-eacces.json)', fix: 'permissions' },
    { spec: 'nope.json', source: '--document', message: '"nope.json" is not an existing file (looked for <dir>/nope.json), and inline JSON must start with { or [', fix: 'file://PATH' },
    { spec: 'Version: 2012-10-17', source: '--document', message: 'is not an existing file', fix: '' },
    { spec: '', source: '--document', message: 'is empty', fix: 'file://PATH' },
    { spec: '   ', source: '--document', message: 'is empty', fix: '' },
    { spec: 'file://', source: '--document', message: 'names no file', fix: '' },
    { spec: 'https://example.com/p.json', source: '--document', message: 'is a URL', fix: 'file://PATH' },
  ])('$spec', async ({ spec, source, message, fix }) => {
    const e = await refused(spec);
    expect(e.source).toBe(source);
    expect(e.issues[0].message).toContain(message.replaceAll('<dir>', dir));
    if (fix) expect(e.issues[0].fix ?? '').toContain(fix.replaceAll('<dir>', dir));
    expect(e.message.startsWith(`${source}: `)).toBe(true);
  });

  it('gives the line and column of invalid UTF-8', async () => {
    const e = await refused('file://latin1.json');
    expect(e.issues[0]).toMatchObject({ line: 2, column: 12 });
  });

  it.skipIf(process.getuid?.() === 0)('refuses an unreadable file (chmod 000)', async () => {
    const e = await refused('file://chmod-000.json');
    expect(e.issues[0].message).toContain('permission denied');
  });

  it.each([
    { name: 'empty', bytes: Buffer.alloc(0), message: 'is empty' },
    { name: 'UTF-16', bytes: Buffer.from('\ufeff{}', 'utf16le'), message: 'UTF-16' },
    { name: 'too large', bytes: Buffer.alloc(MAX_DOCUMENT_BYTES + 1, 0x20), message: 'larger than 1 MiB' },
    { name: 'invalid UTF-8', bytes: Buffer.from([0x7b, 0xc3, 0x28, 0x7d]), message: 'not valid UTF-8' },
  ])('refuses $name stdin', async ({ bytes, message }) => {
    const e = await refused('-', { ...opts(), readStdin: async () => bytes });
    expect(e.source).toBe('stdin');
    expect(e.issues[0].message).toContain(message);
  });

  it('turns a failing stdin reader into an InputError', async () => {
    const e = await refused('-', { ...opts(), readStdin: async () => Promise.reject(new Error('EPIPE')) });
    expect(e.source).toBe('stdin');
    expect(e.message).toContain('EPIPE');
  });
});

describe('loadJsonDocument', () => {
  it('reads and parses', async () => {
    expect(await loadJsonDocument('file://policy.json', opts())).toMatchObject({ value: { Version: '2012-10-17' }, source: 'file policy.json' });
    expect(await loadJsonDocument(' {"a": [1]}', opts())).toMatchObject({ value: { a: [1] }, source: 'inline --document' });
  });

  it('reports parse errors with the source and position', async () => {
    await expect(loadJsonDocument('file://broken.json', opts())).rejects.toThrow('file broken.json: line 1, column 8: trailing comma');
    await expect(loadJsonDocument('{"a": }', opts())).rejects.toThrow(/^inline --document: line 1, column 7/);
    await expect(loadJsonDocument('-', { ...opts(), readStdin: async () => Buffer.from('[1,]') })).rejects.toThrow(/^stdin: line 1, column 3/);
  });

  it('loads the example documents', async () => {
    const root = path.resolve(import.meta.dirname, '../..');
    for (const f of ['json/policy.json', 'json/trust-policy.json']) {
      const r = await loadJsonDocument(f, { option: '--document', cwd: root });
      expect(r.value).toHaveProperty('Version', '2012-10-17');
    }
  });
});
