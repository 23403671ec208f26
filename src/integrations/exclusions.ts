/**
 * Repository exclusions: glob rules (picomatch) matched against a repository's name without its
 * owner. An excluded repository gets no statuses, comments, issues or pull requests from Keel.
 */
import picomatch from 'picomatch';
import { ConfigError } from '../errors.js';

export const MAX_EXCLUSION_RULES = 100;
const MAX_RULE_LENGTH = 200;

export function readExclusions(json: string | null | undefined): string[] {
  if (!json) return [];
  const rules = JSON.parse(json) as unknown;
  return Array.isArray(rules) ? rules.filter((rule): rule is string => typeof rule === 'string') : [];
}

/** Validates and normalises rules from an admin: trimmed, no blanks, no duplicates, order kept. */
export function parseExclusionRules(input: unknown): string[] {
  const rules = (input as { rules?: unknown } | null)?.rules;
  if (!Array.isArray(rules) || rules.some((rule) => typeof rule !== 'string')) {
    throw new ConfigError(
      'Exclusions must be {"rules": ["glob", …]}.',
      'Send glob patterns matched against repository names without the owner, e.g. {"rules": ["legacy-*"]}.',
    );
  }
  const normalised = [...new Set((rules as string[]).map((rule) => rule.trim()).filter(Boolean))];
  if (normalised.length > MAX_EXCLUSION_RULES) {
    throw new ConfigError(
      `${normalised.length} exclusion rules is more than ${MAX_EXCLUSION_RULES}.`,
      'Combine rules with globs such as "legacy-*" or "{a,b,c}".',
    );
  }
  for (const rule of normalised) {
    if (rule.length > MAX_RULE_LENGTH) {
      throw new ConfigError(`An exclusion rule is longer than ${MAX_RULE_LENGTH} characters.`, 'Shorten the rule.');
    }
    if (rule.includes('/')) {
      throw new ConfigError(
        `Exclusion rule "${rule}" contains "/".`,
        'Rules match the repository name without its owner: write "api-*", not "acme/api-*".',
      );
    }
  }
  return normalised;
}

/** The repository's name without its owner: `acme/api` → `api`. */
export function repositoryNameOf(repository: string): string {
  const slash = repository.lastIndexOf('/');
  return slash === -1 ? repository : repository.slice(slash + 1);
}

/** The first rule that excludes `repository` (`owner/name` or `name`), or null. */
export function findExclusion(rules: readonly string[], repository: string): string | null {
  const name = repositoryNameOf(repository);
  for (const rule of rules) if (picomatch.isMatch(name, rule, { dot: true, nocase: true })) return rule;
  return null;
}
