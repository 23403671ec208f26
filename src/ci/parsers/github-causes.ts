import type { DiagnosisKind } from './log-parser.js';

export interface GithubCause {
  kind: Extract<DiagnosisKind, 'github-deprecation' | 'infrastructure' | 'timeout' | 'cancelled'>;
  /** Plain words for people: what GitHub did, not what the code did. */
  note: string;
}

interface Rule {
  pattern: RegExp;
  cause: (match: RegExpExecArray) => GithubCause;
}

// In order of precedence: a timeout is followed by "The operation was canceled.".
const RULES: Rule[] = [
  {
    pattern: /automatically failed because it uses a deprecated version of `([^`]+)`/,
    cause: (match) => ({
      kind: 'github-deprecation',
      note: `GitHub refused to run this job: it uses ${match[1] ?? 'an action'}, a version GitHub has shut down. Update the action to a supported major version.`,
    }),
  },
  {
    pattern: /This is a scheduled (.+?) brownout/i,
    cause: (match) => ({
      kind: 'infrastructure',
      note: `GitHub failed this job on purpose during a scheduled brownout of ${match[1] ?? 'a runner image'}: the image is about to be removed. Move runs-on to a current image.`,
    }),
  },
  {
    pattern: /(?:runner image|image) (?:.*? )?(?:has been|is) retired|has been retired/i,
    cause: () => ({
      kind: 'infrastructure',
      note: 'GitHub has retired the runner image this job asks for, so the job could not run. Move runs-on to a current image.',
    }),
  },
  {
    pattern:
      /lost communication with the server|runner has received a shutdown signal|hosted runner encountered an error|No space left on device/i,
    cause: (match) => ({
      kind: 'infrastructure',
      note: `The runner failed, not the code: "${match[0]}". Re-running the job usually helps.`,
    }),
  },
  {
    pattern:
      /has exceeded the maximum execution time of ([\d.]+ \w+)|The action (?:'[^']*' )?has timed out(?: after ([\d.]+ \w+))?/,
    cause: (match) => ({
      kind: 'timeout',
      note: `The job was stopped after ${match[1] ?? match[2] ?? 'its time limit'} (timeout-minutes).`,
    }),
  },
  {
    pattern: /^The operation was canceled\.$|The run was canceled by/,
    cause: () => ({ kind: 'cancelled', note: 'The job was cancelled before it finished.' }),
  },
];

/** Recognises failures that GitHub itself caused, from a `##[error]` message or a job annotation. */
export function classifyGithubCause(message: string): GithubCause | null {
  for (const rule of RULES) {
    const match = rule.pattern.exec(message);
    if (match) return rule.cause(match);
  }
  return null;
}

/** The more telling of two causes: RULES order, so a timeout beats the cancellation it triggers. */
export function preferCause(current: GithubCause | null, next: GithubCause | null): GithubCause | null {
  if (!current || !next) return current ?? next;
  const rank = (cause: GithubCause): number =>
    ['github-deprecation', 'infrastructure', 'timeout', 'cancelled'].indexOf(cause.kind);
  return rank(next) < rank(current) ? next : current;
}
