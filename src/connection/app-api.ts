/** /api/app (behind adminAuth): `POST /api/app/verify` checks the app's credentials against GitHub now. */
import { Hono } from 'hono';
import type { CheckResult } from './verify/types.js';

export function appApi({ verifyApp }: { verifyApp: () => Promise<CheckResult> }) {
  const api = new Hono();
  api.post('/verify', async (c) => {
    const check = await verifyApp();
    return c.json({ ok: check.status === 'pass', checks: [check] });
  });
  return api;
}
