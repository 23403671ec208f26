/** An integration's repositories with a filter, and its exclusion rules with a preview before saving. */
import type { FC } from 'hono/jsx';
import { CsrfField } from './layout.js';
import type { IntegrationView } from './view.js';

const SHOWN = 200;

export const RepositoriesSection: FC<{ view: IntegrationView; canManage: boolean }> = ({ view, canManage }) => {
  const { integration, repositoryFilter, preview } = view;
  const base = `/console/integrations/${encodeURIComponent(integration.id)}`;
  const needle = repositoryFilter.toLowerCase();
  const listed = integration.repositories.list.filter((repo) => repo.fullName.toLowerCase().includes(needle));
  const rulesText = (preview?.rules ?? integration.exclusions).join('\n');
  return (
    <section aria-labelledby="repositories-heading" id="repositories" class="mb-5">
      <h2 id="repositories-heading" class="h3 mb-2">
        Repositories
      </h2>
      <p>
        {integration.repositories.selection === 'all' ? 'All repositories' : 'Selected repositories'}:{' '}
        {integration.repositories.count ?? integration.repositories.list.length}.
      </p>
      <form method="get" action={`${base}#repositories`} class="d-flex flex-items-end flex-wrap mb-2">
        <div class="mr-2">
          <label for="repo-filter" class="d-block">
            Filter repositories
          </label>
          <input id="repo-filter" class="form-control" type="search" name="repos" value={repositoryFilter} />
        </div>
        <button type="submit" class="btn">
          Filter
        </button>
      </form>
      <ul class="keel-repos list-style-none">
        {listed.slice(0, SHOWN).map((repo) => (
          <li class="py-1">
            {repo.fullName}
            {repo.private ? <span class="Label ml-1">Private</span> : null}
            {repo.excludedBy ? (
              <span class="Label Label--attention ml-1">{`Excluded by ${repo.excludedBy}`}</span>
            ) : null}
          </li>
        ))}
      </ul>
      {listed.length > SHOWN ? (
        <p class="color-fg-muted">{`${listed.length - SHOWN} more; narrow the filter.`}</p>
      ) : null}

      <h3 id="exclusions-heading" class="h4 mt-4 mb-2">
        Repository exclusions
      </h3>
      <p class="color-fg-muted">
        Glob rules, one per line, matched against the repository name without its owner (<code>legacy-*</code>). An
        excluded repository gets no statuses, comments, issues or pull requests from Keel.
      </p>
      {integration.exclusions.length > 0 ? (
        <p>
          In force:{' '}
          {integration.exclusions.map((rule) => (
            <code class="mr-2">{rule}</code>
          ))}
        </p>
      ) : (
        <p>In force: none.</p>
      )}
      {canManage ? (
        <form method="get" action={`${base}#exclusions-preview`}>
          <label for="exclusion-rules" class="d-block">
            Rules
          </label>
          <textarea id="exclusion-rules" class="form-control keel-rules" name="exclude" rows={3}>
            {rulesText}
          </textarea>
          <button type="submit" class="btn d-block mt-2">
            Preview
          </button>
        </form>
      ) : null}
      {preview ? (
        <div id="exclusions-preview" class="Box mt-3" role="region" aria-label="Exclusions preview">
          <div class="Box-header">
            <h4 class="Box-title">Preview</h4>
          </div>
          {preview.error ? (
            <div class="Box-row flash-error">{preview.error}</div>
          ) : (
            <>
              <div class="Box-row">
                {preview.rules.length === 0
                  ? 'No rule: every repository gets Keel.'
                  : `${preview.matches.length} repositor${preview.matches.length === 1 ? 'y' : 'ies'} would be excluded${preview.matches.length > 0 ? ':' : '.'}`}
                {preview.matches.length > 0 ? (
                  <ul class="ml-3">
                    {preview.matches.slice(0, SHOWN).map((name) => (
                      <li>{name}</li>
                    ))}
                  </ul>
                ) : null}
              </div>
              <form method="post" action={`${base}/exclusions`} class="Box-row">
                <CsrfField token={view.user.csrfToken} />
                <input type="hidden" name="rules" value={preview.rules.join('\n')} />
                <button type="submit" class="btn btn-primary">
                  Save these rules
                </button>
              </form>
            </>
          )}
        </div>
      ) : null}
    </section>
  );
};
