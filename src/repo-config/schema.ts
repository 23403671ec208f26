/**
 * The schema of `.github/keel.yml`: one section per capability, each owned by its capability.
 * Unknown top-level keys are errors, so a misspelt section name is reported instead of ignored.
 */
import { z } from 'zod';
import { CiConfigSchema } from '../ci/config.js';
import { CommandsConfigSchema } from '../commands/config.js';
import { PrChecksConfigSchema } from '../pr-checks/config.js';
import { OnboardingConfigSchema, RepairConfigSchema } from '../repair/config.js';

/** The file Keel reads, in the repository and in the organization's `.github` repository. */
export const REPO_CONFIG_PATH = '.github/keel.yml';

export const KeelConfigSchema = z.strictObject({
  prChecks: PrChecksConfigSchema.prefault({}),
  ci: CiConfigSchema.prefault({}),
  repair: RepairConfigSchema,
  onboarding: OnboardingConfigSchema,
  commands: CommandsConfigSchema.prefault(true),
});

export type KeelRepoConfig = z.output<typeof KeelConfigSchema>;
