import { describe, expect, it } from 'vitest';
import { readIntegrationsQuery, sortIntegrations } from '../../../src/console/pages/sort-integrations.js';
import { summary } from './views.js';

describe('sorting and filtering integrations', () => {
  it('defaults to name ascending and ignores unknown sort keys', () => {
    expect(readIntegrationsQuery({ sort: 'drop table', dir: 'up' })).toEqual({
      sort: 'name',
      descending: false,
      text: '',
      state: '',
      provider: '',
      page: 1,
    });
  });

  it('puts never-verified integrations last when sorting by last verified, newest first', () => {
    const sorted = sortIntegrations(
      [
        summary({ id: '1', lastVerifiedAt: null }),
        summary({ id: '2', lastVerifiedAt: 2 }),
        summary({ id: '3', lastVerifiedAt: 3 }),
      ],
      readIntegrationsQuery({ sort: 'verified', dir: 'desc' }),
    );
    expect(sorted.map((integration) => integration.id)).toEqual(['3', '2', '1']);
  });

  it('breaks ties by id so the order is stable', () => {
    const sorted = sortIntegrations(
      [summary({ id: '9', name: 'same' }), summary({ id: '1', name: 'same' })],
      readIntegrationsQuery({}),
    );
    expect(sorted.map((integration) => integration.id)).toEqual(['1', '9']);
  });
});
