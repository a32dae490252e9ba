/**
 * A document option from its spec (inline JSON, file://PATH, PATH or - for stdin) to a parsed
 * value, and its placeholders filled in: read and parsed without any AWS call, filled once the
 * account is known (only when the document uses ${AWS::AccountId}).
 */
import type { JsonValue } from './json.js';
import { parseJsonStrict } from './json.js';
import { fillPlaceholders, placeholdersUsed } from './placeholders.js';
import { readDocumentText } from './source.js';

/** Where documents are read from: the working directory for relative paths, and stdin. */
export interface DocumentReader {
  cwd: string;
  readStdin(): Promise<Buffer>;
}

export interface RawDocument {
  value: JsonValue;
  /** `file ./policy.json`, `inline --document`, `stdin`. */
  source: string;
  needsAccount: boolean;
}

/** The values placeholders are filled with; an unknown account leaves ${AWS::AccountId} as it is. */
export interface PlaceholderValues {
  account?: string;
  region: string;
  partition: string;
  stack: string;
}

/** A stand-in account for validating a document before the real one is known (nothing is sent with it). */
export const PROBE_ACCOUNT = '000000000000';

/** Reads and parses a document (inline, file://, path or stdin): no AWS call. */
export async function readDocument(reader: DocumentReader, spec: string, option: string): Promise<RawDocument> {
  const loaded = await readDocumentText(spec, { option, cwd: reader.cwd, readStdin: () => reader.readStdin() });
  const value = parseJsonStrict(loaded.text, loaded.source);
  const used = placeholdersUsed(value, loaded.source);
  return { value, source: loaded.source, needsAccount: used.has('AWS::AccountId') };
}

/** Fills the placeholders of a parsed document. */
export function fillDocument(doc: RawDocument, values: PlaceholderValues): JsonValue {
  return fillPlaceholders(doc.value, { accountId: values.account, region: values.region, partition: values.partition, stack: values.stack });
}
