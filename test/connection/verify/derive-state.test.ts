import { describe, expect, it } from 'vitest';
import { deriveState } from '../../../src/connection/verify/derive-state.js';
import type { CheckResult } from '../../../src/connection/verify/types.js';

const at = '2025-06-01T12:00:00.000Z';
const passes: CheckResult[] = [
  { name: 'app-credentials', status: 'pass', finding: 'ok', remedy: '' },
  { name: 'installation', status: 'pass', finding: 'ok', remedy: '' },
];

function reportWith(...checks: Partial<CheckResult>[]) {
  const extra = checks.map(
    (check) =>
      ({
        name: 'webhook',
        status: 'fail',
        finding: '',
        remedy: '',
        ...check,
      }) as CheckResult,
  );
  return { at, checks: [...passes, ...extra] };
}

describe('deriveState', () => {
  it('is pending for an installation never verified', () => {
    expect(deriveState({})).toBe('pending');
  });

  it('is connected when every check passes', () => {
    expect(deriveState({ report: reportWith() })).toBe('connected');
  });

  it('stays connected with warnings that switch nothing off', () => {
    expect(
      deriveState({
        report: reportWith({ name: 'rate-limit', status: 'warn' }),
      }),
    ).toBe('connected');
  });

  it('is degraded when a warning switches a capability off', () => {
    const report = reportWith({
      name: 'repositories',
      status: 'warn',
      disables: ['pr-checks'],
    });
    expect(deriveState({ report })).toBe('degraded');
  });

  it('is degraded when a check fails for a reason other than access', () => {
    expect(
      deriveState({
        report: reportWith({ name: 'permissions', disables: ['repair'] }),
      }),
    ).toBe('degraded');
  });

  it('is unauthorized when GitHub rejects the credentials', () => {
    expect(
      deriveState({
        report: reportWith({
          name: 'app-credentials',
          kind: 'bad-credentials',
        }),
      }),
    ).toBe('unauthorized');
  });

  it('is unauthorized when GitHub knows no app for the credentials', () => {
    expect(
      deriveState({
        report: reportWith({ name: 'app-credentials', kind: 'not-found' }),
      }),
    ).toBe('unauthorized');
  });

  it('is unreachable when the host cannot be reached', () => {
    expect(
      deriveState({
        report: reportWith({ name: 'app-credentials', kind: 'tls' }),
      }),
    ).toBe('unreachable');
  });

  it('is uninstalled when the installation is gone', () => {
    expect(
      deriveState({
        report: reportWith({ name: 'installation', kind: 'not-found' }),
      }),
    ).toBe('uninstalled');
  });

  it('is suspended when the report saw a suspended installation', () => {
    expect(
      deriveState({
        report: reportWith({ name: 'installation', kind: 'suspended' }),
      }),
    ).toBe('suspended');
  });

  it('follows a suspension recorded after the report', () => {
    const lifecycle = { suspendedAt: '2025-06-01T13:00:00Z' };
    expect(deriveState({ report: reportWith(), lifecycle })).toBe('suspended');
  });

  it('follows a report made after a recorded suspension', () => {
    const lifecycle = { suspendedAt: '2025-06-01T11:00:00Z' };
    expect(deriveState({ report: reportWith(), lifecycle })).toBe('connected');
  });

  it('is uninstalled when the deletion was recorded and nothing was verified since', () => {
    expect(deriveState({ lifecycle: { uninstalledAt: '2025-06-01T11:00:00Z' } })).toBe('uninstalled');
  });
});
