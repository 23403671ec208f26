/**
 * Parses one configuration file's YAML, keeping the document and its line counter so that later
 * validation can say on which line a bad key sits. Syntax errors name their line too.
 */
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { RepoConfigError } from './repo-config-error.js';

export interface ParsedConfigFile {
  /** How the file is named in messages (see ConfigProblem.file). */
  label: string;
  data: Record<string, unknown>;
  document: Document;
  lineCounter: LineCounter;
}

function lineAt(lineCounter: LineCounter, offset: number | undefined): number | undefined {
  return offset === undefined ? undefined : lineCounter.linePos(offset).line;
}

/** Parses `text`; throws RepoConfigError on a syntax error or when the top level is not a mapping. */
export function parseConfigFile(label: string, text: string): ParsedConfigFile {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
  const [syntaxError] = document.errors;
  if (syntaxError) {
    // yaml's message is "<what> at line L, column C:\n\n<excerpt>"; keep the what, report the line.
    const what = syntaxError.message.split('\n')[0]?.replace(/ at line \d+, column \d+:?$/, '') ?? 'Invalid YAML';
    throw new RepoConfigError([
      { file: label, line: syntaxError.linePos?.[0].line, message: `YAML syntax error: ${what}` },
    ]);
  }
  let data: unknown;
  try {
    data = document.toJS({ maxAliasCount: 100 });
  } catch (error) {
    const what = error instanceof Error ? error.message : String(error);
    throw new RepoConfigError([{ file: label, line: undefined, message: `YAML could not be read: ${what}` }]);
  }
  if (data === null || data === undefined) data = {};
  if (typeof data !== 'object' || Array.isArray(data)) {
    throw new RepoConfigError([
      {
        file: label,
        line: lineAt(lineCounter, document.contents?.range[0]),
        message: 'the file must be a mapping of sections such as prChecks:',
      },
    ]);
  }
  return { label, data: data as Record<string, unknown>, document, lineCounter };
}

/**
 * The line of the value at `path` (for a mapping key: the line of the key), or undefined when
 * the path does not exist in this file.
 */
export function findLine(file: ParsedConfigFile, path: readonly PropertyKey[]): number | undefined {
  let node: unknown = file.document.contents;
  let line = lineAt(file.lineCounter, (node as Node | null)?.range?.[0]);
  for (const segment of path) {
    if (isMap(node)) {
      const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === String(segment));
      if (!pair) return undefined;
      line = lineAt(file.lineCounter, (pair.key as Node).range?.[0]);
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number') {
      const item: unknown = node.items[segment];
      if (item === undefined) return undefined;
      line = lineAt(file.lineCounter, (item as Node).range?.[0]) ?? line;
      node = item;
    } else {
      return undefined;
    }
  }
  return line;
}
