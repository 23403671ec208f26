import { maskLine, maskSecret, type SecretSpan } from '../mask.js';
import type { AddedLine, Finding } from '../types.js';

interface TokenPattern {
  /** Global regex; group 1 is the public prefix kept when masking. */
  regex: RegExp;
  describe: (prefix: string) => string;
  fix: string;
}

interface Detection extends SecretSpan {
  label: string;
  fix: string;
}

const ROTATE = 'remove it from the branch history, and load it from a secret store or `${{ secrets.NAME }}` instead.';

const GITHUB_TOKEN_KINDS: Record<string, string> = {
  ghp_: 'a GitHub personal access token (classic)',
  gho_: 'a GitHub OAuth access token',
  ghu_: 'a GitHub App user access token',
  ghs_: 'a GitHub App installation token',
  ghr_: 'a GitHub refresh token',
  github_pat_: 'a GitHub fine-grained personal access token',
};

const TOKEN_PATTERNS: readonly TokenPattern[] = [
  {
    // Installation tokens since 2026: `ghs_<app id>_<JWT>`, ~520 characters with dots and dashes.
    regex: /\b(ghs_)[0-9]+_[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}(?![A-Za-z0-9_.-])/g,
    describe: (prefix) => GITHUB_TOKEN_KINDS[prefix] ?? 'a GitHub token',
    fix: `Revoke the token on GitHub (it stops working at once), ${ROTATE}`,
  },
  {
    regex: /\b(gh[pousr]_)[A-Za-z0-9]{36,251}\b/g,
    describe: (prefix) => GITHUB_TOKEN_KINDS[prefix] ?? 'a GitHub token',
    fix: `Revoke the token on GitHub (it stops working at once), ${ROTATE}`,
  },
  {
    regex: /\b(github_pat_)[A-Za-z0-9_]{50,251}\b/g,
    describe: (prefix) => GITHUB_TOKEN_KINDS[prefix] ?? 'a GitHub token',
    fix: `Revoke the token on GitHub (it stops working at once), ${ROTATE}`,
  },
  {
    regex: /\b(AKIA|ASIA)[A-Z0-9]{16}\b/g,
    describe: () => 'an AWS access key id',
    fix: `Deactivate and delete the key in AWS IAM (check CloudTrail for its use), ${ROTATE}`,
  },
  {
    regex: /\b(xox[abpr]-)[A-Za-z0-9-]{10,250}(?![A-Za-z0-9-])/g,
    describe: () => 'a Slack token',
    fix: `Revoke the token in the Slack app's settings, ${ROTATE}`,
  },
  {
    regex: /(https:\/\/hooks\.slack\.com\/(?:services|workflows|triggers)\/)[A-Za-z0-9_/]{20,200}/g,
    describe: () => 'a Slack webhook URL',
    fix: `Regenerate the webhook in Slack, ${ROTATE}`,
  },
  {
    regex: /\b([rs]k_live_)[A-Za-z0-9]{20,247}\b/g,
    describe: () => 'a Stripe live API key',
    fix: `Roll the key in the Stripe dashboard, ${ROTATE}`,
  },
  {
    regex: /\b(AIza)[A-Za-z0-9_-]{35}(?![A-Za-z0-9_-])/g,
    describe: () => 'a Google API key',
    fix: `Delete or regenerate the key in the Google Cloud console, ${ROTATE}`,
  },
  {
    regex: /\b(npm_)[A-Za-z0-9]{36}\b/g,
    describe: () => 'an npm access token',
    fix: `Revoke the token with \`npm token revoke\` or on npmjs.com, ${ROTATE}`,
  },
  {
    regex: /\b(eyJ)[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}(?![A-Za-z0-9_-])/g,
    describe: () => 'a JSON Web Token',
    fix: `Revoke the token or the key that signed it wherever it is accepted, ${ROTATE}`,
  },
];

// Cheap tests that every line goes through; the precise patterns run only on lines that pass.
const TOKEN_HINT = /gh[pousr]_|github_pat_|AKIA|ASIA|-----BEGIN|xox[abpr]-|hooks\.slack\.com|k_live_|AIza|npm_|eyJ/;
const ASSIGNMENT_HINT = /pass(?:wd|word)|pwd|secret|token|api[_-]?key|access[_-]?key|private[_-]?key/i;

const PRIVATE_KEY = /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----/;
const ESCAPED_KEY_BODY = /\\n[A-Za-z0-9+/=]{20,}/;
const KEY_BODY_LINE = /[A-Za-z0-9+/=]{40,}|^\s*["']?(?:Proc-Type|Comment):/;

const ASSIGNMENT_KEY = /(?:passwd|password|pwd|secret|token|api[_-]?key|access[_-]?key|private[_-]?key)(?:[_-]?key)?/gi;
const ASSIGNMENT_VALUE =
  /^["']?\s*(?:=>|:=|\?\?=|\|\|=|=(?!=)|:)\s*(?:(["'`])([A-Za-z0-9+/=_~!@#%^&*-]{12,512})\1|([A-Za-z0-9+/=_~!@#%^&*-]{12,512})\s*(?:#.*)?$)/;
const IDENTIFIER_CHAR = /[A-Za-z0-9_]/;
const PLACEHOLDER_WORDS =
  /example|xxx|changeme|change_me|change-me|placeholder|dummy|sample|redacted|your|replace|insert|todo|fixme|fake/i;

/** SCREAMING_SNAKE values name a secret (an environment variable, a vault entry) rather than hold one. */
const CONSTANT_NAME = /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$/;

const GENERIC_LABEL = 'a hard-coded password, secret or token';
const GENERIC_FIX = `If this is a real credential, rotate it, ${ROTATE} If it is a placeholder, use an obvious one such as "changeme".`;

/** Finds credentials in the lines a pull request adds; evidence and text only ever show them masked. */
export function findSecrets(file: string, added: readonly AddedLine[]): Finding[] {
  const findings: Finding[] = [];
  for (let i = 0; i < added.length; i += 1) {
    const current = added[i];
    if (!current) continue;
    const next = added[i + 1];
    const detections = detectSecrets(current.text, next?.line === current.line + 1 ? next.text : undefined);
    for (const detection of detections) {
      findings.push(createFinding(file, current.line, current.text, detection, detections));
    }
  }
  return findings;
}

/**
 * The secrets in one line of text (a log line, a diff line), for masking with `maskSpans`.
 * `nextLine` lets a private key's BEGIN line count only when key material follows it.
 */
export function findSecretSpans(text: string, nextLine?: string): SecretSpan[] {
  return detectSecrets(text, nextLine);
}

function detectSecrets(text: string, nextLine: string | undefined): Detection[] {
  const tokenHint = TOKEN_HINT.test(text);
  const assignmentHint = ASSIGNMENT_HINT.test(text);
  const detections: Detection[] = [];
  if (tokenHint) {
    detectTokens(text, detections);
    detectPrivateKey(text, nextLine, detections);
  }
  if (assignmentHint) detectAssignments(text, detections);
  return detections;
}

function detectTokens(text: string, detections: Detection[]): void {
  for (const pattern of TOKEN_PATTERNS) {
    for (const match of text.matchAll(pattern.regex)) {
      const prefix = match[1] ?? '';
      const end = match.index + match[0].length;
      // The JWT inside a new-format installation token is part of that token, not a second secret.
      if (detections.some((seen) => seen.start < end && match.index < seen.end)) continue;
      if (isPlaceholderToken(match[0].slice(prefix.length))) continue;
      detections.push({
        start: match.index,
        end,
        prefixLength: prefix.length,
        label: pattern.describe(prefix),
        fix: pattern.fix,
      });
    }
  }
}

/** A BEGIN line counts only when key material follows it, so code that merely names it is fine. */
function detectPrivateKey(text: string, nextLine: string | undefined, detections: Detection[]): void {
  const match = PRIVATE_KEY.exec(text);
  if (!match) return;
  const rest = text.slice(match.index + match[0].length);
  const bodyOnSameLine = ESCAPED_KEY_BODY.test(rest);
  if (!bodyOnSameLine && !(nextLine !== undefined && KEY_BODY_LINE.test(nextLine))) return;
  detections.push({
    start: match.index,
    end: bodyOnSameLine ? text.length : match.index + match[0].length,
    prefixLength: match[0].length,
    label: 'a private key',
    fix: `Treat the key as compromised: revoke or replace it wherever it is trusted, ${ROTATE}`,
  });
}

function detectAssignments(text: string, detections: Detection[]): void {
  for (const key of text.matchAll(ASSIGNMENT_KEY)) {
    const keyEnd = key.index + key[0].length;
    if (IDENTIFIER_CHAR.test(text.charAt(keyEnd))) continue;
    const assignment = ASSIGNMENT_VALUE.exec(text.slice(keyEnd));
    if (!assignment) continue;
    const value = assignment[2] ?? assignment[3] ?? '';
    const start = keyEnd + assignment[0].indexOf(value);
    const end = start + value.length;
    if (detections.some((seen) => seen.start < end && start < seen.end)) continue;
    if (!isHighEntropySecret(value)) continue;
    detections.push({ start, end, prefixLength: 0, label: GENERIC_LABEL, fix: GENERIC_FIX });
  }
}

function createFinding(
  file: string,
  line: number,
  text: string,
  detection: Detection,
  all: readonly Detection[],
): Finding {
  const masked = maskSecret(text.slice(detection.start, detection.end), detection.prefixLength);
  return {
    rule: 'secrets',
    severity: 'failure',
    file,
    line,
    title: `Possible secret: ${detection.label.replace(/^an? /, '')}`,
    explanation:
      `Line ${line} adds what looks like ${detection.label} (${masked}). Whatever is pushed to GitHub ` +
      'stays in the history and in forks, even after a later commit deletes it.',
    fix: detection.fix,
    evidence: maskLine(text, all),
  };
}

function isPlaceholderToken(body: string): boolean {
  // A long body (a JWT, an app id) spells a word or a run such as 123456 by chance too often to count.
  if (body.length >= 64) return shannonEntropy(body) < 3;
  return PLACEHOLDER_WORDS.test(body) || shannonEntropy(body) < 3 || hasAscendingRun(body, 6);
}

/** Generic assignments need a random-looking value: letters and digits, high entropy, no placeholder. */
export function isHighEntropySecret(value: string): boolean {
  if (value.length < 12 || value.startsWith('/') || value.startsWith('.')) return false;
  if (!/[A-Za-z]/.test(value) || !/[0-9]/.test(value)) return false;
  if (PLACEHOLDER_WORDS.test(value) || CONSTANT_NAME.test(value) || hasAscendingRun(value, 6)) return false;
  const threshold = 0.85 * Math.min(Math.log2(value.length), 4);
  return shannonEntropy(value) >= threshold;
}

/** Shannon entropy in bits per character. */
export function shannonEntropy(value: string): number {
  const counts = new Map<string, number>();
  for (const char of value) counts.set(char, (counts.get(char) ?? 0) + 1);
  let entropy = 0;
  for (const count of counts.values()) {
    const p = count / value.length;
    entropy -= p * Math.log2(p);
  }
  return entropy;
}

/** True for runs such as "abcdef" or "123456", typical of documentation placeholders. */
function hasAscendingRun(value: string, length: number): boolean {
  let run = 1;
  for (let i = 1; i < value.length; i += 1) {
    run = value.charCodeAt(i) === value.charCodeAt(i - 1) + 1 ? run + 1 : 1;
    if (run >= length) return true;
  }
  return false;
}
