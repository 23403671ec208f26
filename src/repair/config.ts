/**
 * The `repair` section and the `onboarding` key of `.github/keel.yml`:
 *
 * ```yaml
 * repair: false                 # no repair pull requests here
 * repair: { mode: dry-run }     # list the would-be changes on a details page, open nothing
 * onboarding: false             # in the organization's .github repository: no "Configure Keel" pull requests
 * ```
 */
import { z } from 'zod';

const RepairSectionSchema = z.strictObject({
  /** `pull-request`: open and keep one repair pull request; `dry-run`: only list what it would change. */
  mode: z.enum(['pull-request', 'dry-run']).default('pull-request'),
});

export const RepairConfigSchema = z
  .union([z.boolean(), RepairSectionSchema])
  .default(true)
  .transform((value) =>
    typeof value === 'boolean'
      ? { enabled: value, mode: 'pull-request' as const }
      : { enabled: true, mode: RepairSectionSchema.parse(value).mode },
  );

export type RepairConfig = z.output<typeof RepairConfigSchema>;

export const OnboardingConfigSchema = z.boolean().default(true);
