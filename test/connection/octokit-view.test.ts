import { afterAll, describe, expect, it } from 'vitest';
import { viewOctokit } from '../../src/connection/octokit-view.js';
import { createKeelOctokit } from '../../src/github/octokit.js';
import { githubApi, useGitHubMock } from '../helpers/github-mock.js';

useGitHubMock();

const factory = createKeelOctokit({ throttle: false });
afterAll(() => factory.close());

function sharedClient() {
  return new factory.Octokit({ auth: { token: 'ghs_shared' } } as ConstructorParameters<typeof factory.Octokit>[0]);
}

describe('viewOctokit', () => {
  it("sends through the shared client, with its token, and keeps the view's hooks off it", async () => {
    const shared = sharedClient();
    const view = viewOctokit(shared);
    const seenByView: string[] = [];
    view.hook.before('request', (options) => void seenByView.push(String(options.url)));
    githubApi()
      .matchHeader('authorization', 'token ghs_shared')
      .get('/app')
      .reply(200, { slug: 'keel' })
      .get('/rate_limit')
      .reply(200, {});

    expect((await view.request('GET /app')).data).toEqual({ slug: 'keel' });
    await shared.request('GET /rate_limit');
    expect(seenByView).toEqual(['/app']);
  });

  it('refuses to send once its signal has aborted, and the shared client still sends', async () => {
    const shared = sharedClient();
    const stop = new AbortController();
    const view = viewOctokit(shared, { signal: stop.signal });
    stop.abort();
    githubApi().get('/app').reply(200, { slug: 'keel' });

    await expect(view.request('GET /app')).rejects.toMatchObject({ name: 'AbortError' });
    expect((await shared.request('GET /app')).data).toEqual({ slug: 'keel' });
  });
});
