/**
 * `POST /api/installations/:id/verify` (behind apiAuth): verify now, with an optional write round
 * trip (a dry run unless asked otherwise). The list and the detail are the integration actions'
 * (src/integrations/api.ts), mounted first on the same prefix.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import { WriteCheckRunningError } from '../integrations/errors.js';
import { findRunningWriteCheck } from '../integrations/write-checks.js';
import type { Store } from '../store/database.js';
import { getInstallationRecord, getInstallationRow } from './installation-reads.js';
import { toInstallationJson } from './to-installation-json.js';
import type { VerifyAndStore } from './verify-and-store.js';

const VerifyBodySchema = z
  .object({
    writeCheck: z
      .object({
        repo: z.string().regex(/^([\w.-]+\/)?[\w.-]+$/, 'must be a repository name such as web or acme/web'),
        dryRun: z.boolean().default(true),
        path: z
          .string()
          .regex(/^(?!.*\.\.)[\w.-]+(\/[\w.-]+)*$/, 'must be a file path in the repository such as .keel/check.md')
          .optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

function describeIssues(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.join('.') || 'body'} ${issue.message}`).join('; ');
}

function parseId(text: string): number | undefined {
  return /^\d{1,15}$/.test(text) ? Number(text) : undefined;
}

const NOT_FOUND = {
  error: 'No installation with that id.',
  remedy: 'List installations with GET /api/installations (or `keel status`).',
};

export function installationsApi({ store, verify }: { store: Store; verify: VerifyAndStore }) {
  const api = new Hono();
  api.post('/:id/verify', async (c) => {
    const text = await c.req.text();
    let raw: unknown = {};
    if (text.trim() !== '') {
      try {
        raw = JSON.parse(text) as unknown;
      } catch {
        return c.json({ error: 'The body is not JSON.', remedy: 'Send {} or {"writeCheck": {"repo": "web"}}.' }, 400);
      }
    }
    const body = VerifyBodySchema.safeParse(raw);
    if (!body.success) {
      return c.json(
        {
          error: `Invalid body: ${describeIssues(body.error)}.`,
          remedy: 'Send {} or {"writeCheck": {"repo": "web", "dryRun": true}}.',
        },
        400,
      );
    }
    const id = parseId(c.req.param('id'));
    const row = id === undefined ? undefined : await getInstallationRow(store, id);
    if (id === undefined || !row) return c.json(NOT_FOUND, 404);
    const writeCheck = body.data.writeCheck;
    const running = writeCheck && !writeCheck.dryRun ? await findRunningWriteCheck(store, id, Date.now()) : undefined;
    if (running) {
      // Both round trips would use the keel/connection-check branch.
      const error = new WriteCheckRunningError(String(id), running);
      return c.json({ error: error.message, remedy: error.remedy }, 409);
    }
    await verify(id, {
      ...(writeCheck
        ? {
            writeCheck: {
              repo: writeCheck.repo.includes('/') ? writeCheck.repo : `${row.account_login}/${writeCheck.repo}`,
              dryRun: writeCheck.dryRun,
              ...(writeCheck.path ? { path: writeCheck.path } : {}),
            },
          }
        : {}),
    });
    const record = await getInstallationRecord(store, id);
    if (!record) return c.json(NOT_FOUND, 404);
    // The installation as GET shows it, with the new report's time and checks also at the top.
    const installation = toInstallationJson(record);
    return c.json({ ...installation, at: installation.report?.at ?? null, checks: installation.report?.checks ?? [] });
  });
  return api;
}
