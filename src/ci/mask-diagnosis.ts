/**
 * GitHub masks only the secrets a workflow registers; a test that echoes a token prints it in
 * clear. Every text a diagnosis quotes from a log goes through the pull-request secret rules here,
 * before it is stored, written to GitHub or logged.
 */
import { maskSpans } from '../pr-checks/mask.js';
import { findSecretSpans } from '../pr-checks/rules/secrets.js';
import type { Diagnosis, Failure } from './diagnose.js';

const KEY_BEGIN = /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----/;
const KEY_END = /-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----/;

/** Masks the secrets of lines in order, remembering the distinct secrets it hid. */
class SecretMasker {
  readonly secrets = new Set<string>();

  maskLines(lines: readonly string[]): string[] {
    const masked: string[] = [];
    let inKey = false;
    for (const [index, line] of lines.entries()) {
      if (inKey) {
        // Key material between BEGIN and END: nothing of it is shown.
        inKey = !KEY_END.test(line);
        masked.push(inKey ? '…' : line);
        continue;
      }
      const next = lines[index + 1];
      const spans = findSecretSpans(line, next);
      for (const span of spans) this.secrets.add(line.slice(span.start, span.end));
      const keyHeader = KEY_BEGIN.exec(line);
      if (keyHeader && spans.some((span) => span.start === keyHeader.index)) inKey = !KEY_END.test(line);
      masked.push(spans.length > 0 ? maskSpans(line, spans) : line);
    }
    return masked;
  }

  maskText(text: string): string {
    return this.maskLines(text.split('\n')).join('\n');
  }

  maskFailure(failure: Failure): Failure {
    return {
      ...failure,
      message: this.maskText(failure.message),
      ...(failure.test === undefined ? {} : { test: this.maskText(failure.test) }),
      ...(failure.file === undefined ? {} : { file: this.maskText(failure.file) }),
    };
  }
}

/** The diagnosis with every secret its texts quote masked, and how many distinct secrets were. */
export function maskDiagnosisSecrets(diagnosis: Diagnosis): Diagnosis {
  const masker = new SecretMasker();
  const masked: Diagnosis = {
    ...diagnosis,
    excerpt: masker.maskLines(diagnosis.excerpt),
    failures: diagnosis.failures.map((failure) => masker.maskFailure(failure)),
    ...(diagnosis.note === undefined ? {} : { note: masker.maskText(diagnosis.note) }),
  };
  const count = masker.secrets.size;
  return count > 0 ? { ...masked, secretsMasked: count } : masked;
}
