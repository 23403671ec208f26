import { CAPABILITIES } from '../../../capabilities.js';
import type { CheckResult, ProbotOctokitInstance, RepositoriesSummary } from '../types.js';
import { failedCheckFromError, passedCheck } from './check-result.js';

export interface CheckRepositoriesOptions {
  installationOctokit: ProbotOctokitInstance;
  selection: 'all' | 'selected';
  settingsUrl: string;
  apiHost: string;
}

export interface RepositoriesResult {
  check: CheckResult;
  repositories?: RepositoriesSummary;
  /** `owner/name` of every repository the token can see. */
  fullNames?: string[];
  list?: { id: number; fullName: string; private: boolean }[];
}

/** Lists the repositories the installation token can see, 100 per page. */
export async function checkRepositories({
  installationOctokit,
  selection,
  settingsUrl,
  apiHost,
}: CheckRepositoriesOptions): Promise<RepositoriesResult> {
  let list: { id: number; fullName: string; private: boolean }[];
  try {
    const repositories = await installationOctokit.paginate('GET /installation/repositories', {
      per_page: 100,
    });
    list = repositories.map((repository) => ({
      id: repository.id,
      fullName: repository.full_name,
      private: repository.private,
    }));
  } catch (error) {
    return { check: failedCheckFromError('repositories', error, apiHost) };
  }
  const fullNames = list.map((repository) => repository.fullName);
  const repositories = { selection, count: fullNames.length };
  if (fullNames.length === 0) {
    const check: CheckResult = {
      name: 'repositories',
      status: 'warn',
      finding: 'Installed with zero repositories: Keel can see no repository to work in.',
      remedy: `An owner adds repositories under Repository access at ${settingsUrl}.`,
      disables: CAPABILITIES.filter((c) => !c.optIn && c.id !== 'connection').map((c) => c.id),
    };
    return { check, repositories, fullNames, list };
  }
  const scope = selection === 'all' ? 'all repositories' : 'selected repositories';
  const check = passedCheck('repositories', `${fullNames.length} repositories visible (${scope}).`);
  return { check, repositories, fullNames, list };
}
