import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseExclusionRules, findExclusion } from '../../src/integrations/exclusions.js';
import { createIntegrationGate, decideService } from '../../src/integrations/gate.js';
import { applyServicesUpdate, defaultServices } from '../../src/integrations/services.js';
import { ensureGitHubIntegration, saveExclusions, saveServices } from '../../src/integrations/store.js';
import { createSqliteStore, type TestStore } from '../helpers/store.js';

describe('services', () => {
  it('are on by default except the opt-in re-run', () => {
    expect(defaultServices()).toEqual({ 'pr-checks': true, ci: true, repair: true, commands: true, rerun: false });
  });

  it('take a partial update and refuse an unknown service whole', () => {
    expect(applyServicesUpdate(defaultServices(), { ci: false }).ci).toBe(false);
    expect(() => applyServicesUpdate(defaultServices(), { ci: false, deploy: true })).toThrow(
      '"deploy" is not a Keel service.',
    );
    expect(() => applyServicesUpdate(defaultServices(), { ci: 'no' })).toThrow('must be true or false');
  });
});

describe('exclusion rules', () => {
  it('match the repository name without its owner, ignoring case', () => {
    expect(findExclusion(['legacy-*'], 'acme/Legacy-API')).toBe('legacy-*');
    expect(findExclusion(['legacy-*'], 'acme/api')).toBeNull();
    expect(findExclusion(['{docs,www}'], 'acme/www')).toBe('{docs,www}');
  });

  it('are trimmed and deduplicated, and refuse owner-qualified rules with the fix', () => {
    expect(parseExclusionRules({ rules: [' a* ', 'a*', ''] })).toEqual(['a*']);
    expect(() => parseExclusionRules({ rules: ['acme/api'] })).toThrow('contains "/"');
    expect(() => parseExclusionRules({ rules: 'api' })).toThrow('{"rules": ["glob", …]}');
  });

  it('stay fast on patterns that backtrack in naive matchers', () => {
    expect(findExclusion(['**/**/**/**/**/**/**/**/zz'], `acme/${'a'.repeat(200)}`)).toBeNull();
  });
});

describe('the integration gate', () => {
  let test: TestStore;
  let clock = 0;
  beforeEach(async () => {
    test = await createSqliteStore();
    clock = 1_000;
    await ensureGitHubIntegration(test.store, {
      installationId: 42,
      accountLogin: 'acme',
      host: 'github.com',
      addedBy: 'octocat',
      now: clock,
    });
  });
  afterEach(() => test.cleanup());

  it('allows every default service on a repository nobody excluded', async () => {
    const gate = createIntegrationGate({ store: test.store });
    expect(await gate.decide({ installationId: 42, service: 'ci', repository: 'acme/api' })).toEqual({ allowed: true });
  });

  it('refuses a switched-off service and an excluded repository, once the cache is forgotten', async () => {
    const gate = createIntegrationGate({ store: test.store, now: () => clock });
    await gate.decide({ installationId: 42, service: 'ci' });
    await saveServices(test.store, '42', { ...defaultServices(), ci: false }, clock);
    await saveExclusions(test.store, '42', ['legacy-*'], clock);
    expect(await gate.decide({ installationId: 42, service: 'ci' })).toEqual({ allowed: true });

    gate.forget(42);
    expect(await gate.decide({ installationId: 42, service: 'ci' })).toEqual({ allowed: false, reason: 'service-off' });
    expect(await gate.decide({ installationId: 42, service: 'pr-checks', repository: 'acme/legacy-web' })).toEqual({
      allowed: false,
      reason: 'excluded',
      rule: 'legacy-*',
    });
  });

  it('sees another process’s change once its cache expires', async () => {
    const gate = createIntegrationGate({ store: test.store, ttlMs: 5_000, now: () => clock });
    await gate.decide({ installationId: 42, service: 'repair' });
    await saveServices(test.store, '42', { ...defaultServices(), repair: false }, clock);
    clock += 5_000;
    expect((await gate.decide({ installationId: 42, service: 'repair' })).allowed).toBe(false);
  });

  it('keeps an admin’s choices when the installation is seen again', async () => {
    await saveServices(test.store, '42', { ...defaultServices(), commands: false }, clock);
    await ensureGitHubIntegration(test.store, {
      installationId: 42,
      accountLogin: 'acme',
      host: 'github.com',
      addedBy: null,
      now: clock,
    });
    const gate = createIntegrationGate({ store: test.store });
    expect((await gate.decide({ installationId: 42, service: 'commands' })).allowed).toBe(false);
  });

  it('decides from settings alone (the pure rule)', () => {
    const settings = { services: defaultServices(), exclusions: ['*'] };
    expect(decideService(settings, { installationId: 1, service: 'rerun' })).toEqual({
      allowed: false,
      reason: 'service-off',
    });
    expect(decideService(settings, { installationId: 1, service: 'ci', repository: 'a/b' })).toMatchObject({
      reason: 'excluded',
    });
  });
});
