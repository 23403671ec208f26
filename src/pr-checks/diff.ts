import type { AddedLine } from './types.js';

export interface ParsedPatch {
  added: AddedLine[];
  additions: number;
  deletions: number;
}

const HUNK_HEADER = /^@@ -\d+(?:,\d+)? \+(\d+)(?:,\d+)? @@/;

/**
 * Parses a unified-diff `patch` as GitHub's "list pull request files" returns it (hunks only, no
 * `---`/`+++` headers) into the lines it adds, numbered as in the new file.
 */
export function parsePatch(patch: string): ParsedPatch {
  const added: AddedLine[] = [];
  let additions = 0;
  let deletions = 0;
  let newLine = 0;
  let inHunk = false;

  for (const raw of patch.split('\n')) {
    const text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    const marker = text.charCodeAt(0);
    if (marker === 64 /* @ */) {
      const header = HUNK_HEADER.exec(text);
      if (header) {
        newLine = Number(header[1]);
        inHunk = true;
        continue;
      }
    }
    if (!inHunk) continue;
    if (marker === 43 /* + */) {
      added.push({ line: newLine, text: text.slice(1) });
      additions += 1;
      newLine += 1;
    } else if (marker === 45 /* - */) {
      deletions += 1;
    } else if (marker === 92 /* \ */) {
      // "\ No newline at end of file" describes the previous line; it is not content.
    } else if (marker === 32 /* space */ || text === '') {
      // Some tools strip the single space of an empty context line.
      newLine += 1;
    }
  }
  return { added, additions, deletions };
}
