import { describe, expect, it } from 'vitest';
import { planRedeliveries, type HookDeliveryAttempt } from '../../src/connection/plan-redeliveries.js';
import hookDeliveries from '../../fixtures/connection/hook-deliveries.json' with { type: 'json' };

const attempts = hookDeliveries as HookDeliveryAttempt[];

function failed(attempt: HookDeliveryAttempt, overrides: Partial<HookDeliveryAttempt> = {}): HookDeliveryAttempt {
  return { ...attempt, status: 'Invalid HTTP Response: 503', status_code: 503, ...overrides };
}

function plan(list: HookDeliveryAttempt[], stored: string[] = [], deleted: number[] = []) {
  return planRedeliveries({ attempts: list, storedGuids: new Set(stored), deletedInstallations: new Set(deleted) });
}

const [first, second, third] = attempts as [HookDeliveryAttempt, HookDeliveryAttempt, HookDeliveryAttempt];

describe('planRedeliveries', () => {
  it('plans nothing when every delivery went through', () => {
    expect(plan(attempts)).toEqual({ scanned: 3, failed: 0, stored: 0, uninstalled: 0, candidates: [] });
  });

  it('plans a failed delivery Keel never stored, naming its event', () => {
    expect(plan([failed(first), second]).candidates).toEqual([
      { githubDeliveryId: first.id, guid: first.guid, event: 'pull_request.opened', installationId: 42 },
    ]);
  });

  it('names an event without an action by its name alone', () => {
    expect(plan([failed(third)]).candidates.map((candidate) => candidate.event)).toEqual(['push']);
  });

  it('counts a failed delivery that Keel stored, and leaves it alone', () => {
    expect(plan([failed(first)], [first.guid])).toMatchObject({ failed: 1, stored: 1, candidates: [] });
  });

  it('leaves alone a failed delivery of an installation Keel removed', () => {
    expect(plan([failed(first)], [], [42])).toMatchObject({ failed: 1, uninstalled: 1, candidates: [] });
  });

  it('treats status_code 0 (no answer) as failed', () => {
    expect(plan([failed(first, { status: 'timed out', status_code: 0 })]).failed).toBe(1);
  });

  it('scoped to one installation, plans only the deliveries GitHub lists with its installation_id', () => {
    const otherInstallation = failed(second, { installation_id: 43 });
    const scoped = planRedeliveries({
      attempts: [failed(first), otherInstallation, failed(third, { installation_id: null })],
      storedGuids: new Set(),
      deletedInstallations: new Set(),
      installationId: 42,
    });
    expect(scoped).toMatchObject({ scanned: 1, failed: 1 });
    expect(scoped.candidates.map((candidate) => candidate.guid)).toEqual([first.guid]);
  });
});
