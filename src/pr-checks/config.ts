import { z } from 'zod';
import { ConfigError } from '../errors.js';
import { AUDIT_IDS } from './workflow-audits/catalog.js';

function isValidRegExp(pattern: string): boolean {
  try {
    new RegExp(pattern);
    return true;
  } catch {
    return false;
  }
}

/** The `prChecks` section of `.github/keel.yml`. Unknown keys are errors, so typos surface. */
export const PrChecksConfigSchema = z.strictObject({
  rules: z
    .strictObject({
      secrets: z.boolean().default(true),
      conflictMarkers: z.boolean().default(true),
      workflowRisks: z.boolean().default(true),
      size: z.boolean().default(true),
      title: z.boolean().default(true),
    })
    .prefault({}),
  maxChangedLines: z.number().int().positive().default(1000),
  titlePattern: z
    .string()
    .min(1)
    .refine(isValidRegExp, { message: 'is not a valid JavaScript regular expression' })
    .optional(),
  ignorePaths: z.array(z.string().min(1)).default([]),
  /** Per workflow audit (zizmor's ids): `error` fails the status, `warning` lists it, `off` skips it. */
  workflowAudits: z.partialRecord(z.enum(AUDIT_IDS), z.enum(['error', 'warning', 'off'])).optional(),
});

export type PrChecksConfig = z.output<typeof PrChecksConfigSchema>;

/** Validates the `prChecks` section (absent means all defaults); the error names every bad key. */
export function parsePrChecksConfig(section: unknown): PrChecksConfig {
  const result = PrChecksConfigSchema.safeParse(section ?? {});
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const path = ['prChecks', ...issue.path.map(String)].join('.');
    return `${path}: ${issue.message}`;
  });
  throw new ConfigError(
    `Invalid prChecks configuration in .github/keel.yml: ${problems.join('; ')}`,
    'Fix the listed keys under prChecks in .github/keel.yml; allowed keys are rules, maxChangedLines, titlePattern, ignorePaths and workflowAudits.',
  );
}
