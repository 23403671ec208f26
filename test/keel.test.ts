import { describe, expect, it } from 'vitest';
import type { KeelPlugin } from '../src/keel.js';
import { startKeel } from './helpers/keel.js';

describe('a running Keel', () => {
  it('stops within the grace period even when a background job is still running', async () => {
    let hookStarted = false;
    const slowJob: KeelPlugin = (services) => {
      services.onStop(async () => {
        hookStarted = true;
        await new Promise(() => undefined); // a job stuck on an unreachable GitHub
      });
    };
    const keel = await startKeel({ plugins: [slowJob] });
    const started = performance.now();
    await keel.stop(); // a 2 s grace period
    expect(hookStarted).toBe(true);
    expect(performance.now() - started).toBeLessThan(4_000);
    await expect(keel.keel.store.ping()).rejects.toThrow();
  });

  it('gives a usable URL when listening on an IPv6 address', async () => {
    const keel = await startKeel({ env: { HOST: '::1' } });
    try {
      expect(keel.url).toMatch(/^http:\/\/\[::1\]:\d+$/);
      expect(new URL(keel.url).hostname).toBe('[::1]');
    } finally {
      await keel.stop();
    }
  });
});
