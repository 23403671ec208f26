/**
 * Browser tests in real Chromium (Debian's `chromium`, driven by playwright-core): launching it,
 * a loopback server playing github.com's web pages (the ones the browser visits), axe-core
 * checks, and screenshots under test/artifacts/ (git-ignored).
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
export const ARTIFACTS = join(import.meta.dirname, '..', 'artifacts');

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Launches Chromium with a new, empty profile; fails loudly (never skips) when it is not installed. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `No Chromium at ${CHROMIUM_PATH}: the browser tests need it. Install Debian's chromium ` +
        '(apt-get install -y chromium) or set CHROMIUM_PATH to a Chromium binary.',
    );
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: string[];
}

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** Runs axe-core in the page and returns its serious and critical violations. */
export async function findSeriousViolations(page: Page): Promise<AxeViolation[]> {
  // The console's CSP refuses inline scripts, so axe goes in through the DevTools protocol, which
  // CSP does not govern (addScriptTag would add an inline <script> the page refuses).
  await page.evaluate(AXE_SOURCE);
  return page.evaluate(async () => {
    type Result = { id: string; impact: string | null; help: string; nodes: { target: string[] }[] };
    const axe = (globalThis as unknown as { axe: { run(): Promise<{ violations: Result[] }> } }).axe;
    const { violations } = await axe.run();
    return violations
      .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
      .map((violation) => ({
        id: violation.id,
        impact: violation.impact,
        help: violation.help,
        nodes: violation.nodes.map((node) => node.target.join(' ')),
      }));
  });
}

/** How wide the page's content is at `width` px: more than `width` means a sideways scroll. */
export async function measureContentWidth(page: Page, width: number): Promise<number> {
  await page.setViewportSize({ width, height: 900 });
  return page.evaluate(
    () =>
      (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } }).document.documentElement
        .scrollWidth,
  );
}

/** Saves full-page screenshots of the page at 1280 and 390 px wide, then restores 1280. */
export async function screenshotWidths(page: Page, name: string): Promise<string[]> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const paths: string[] = [];
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: 900 });
    const path = join(ARTIFACTS, `${name}-${width}.png`);
    await page.screenshot({ path, fullPage: true });
    paths.push(path);
  }
  await page.setViewportSize({ width: 1280, height: 900 });
  return paths;
}

export interface GitHubWeb {
  /** http://127.0.0.1:<port>: set GHE_HOST to its host and GHE_PROTOCOL=http. */
  url: string;
  host: string;
  /** Where the installation page sends the admin back to (Keel's setup URL). */
  setKeelUrl(url: string): void;
  /** Requests to paths this server does not play (Keel's API calls belong to nock). */
  unexpected: string[];
  close(): Promise<void>;
}

export interface GitHubWebOptions {
  /** The installation GitHub's installation page creates. */
  installationId: number;
  /** The OAuth code the authorize page hands back. */
  code: string;
}

/**
 * Plays the github.com pages a browser visits: the OAuth authorize page (approves at once and
 * returns to redirect_uri with the code and state) and the app's installation page (installs at
 * once and returns to Keel's setup URL). Keel's own API calls to this host are mocked with nock.
 */
export async function startGitHubWeb(options: GitHubWebOptions): Promise<GitHubWeb> {
  let keelUrl = '';
  const unexpected: string[] = [];
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://github.test');
    if (url.pathname === '/login/oauth/authorize') {
      const back = new URL(url.searchParams.get('redirect_uri') ?? '');
      back.searchParams.set('code', options.code);
      back.searchParams.set('state', url.searchParams.get('state') ?? '');
      res.writeHead(302, { location: back.toString() }).end();
      return;
    }
    if (/^\/apps\/[^/]+\/installations\/new$/.test(url.pathname)) {
      const setup = `${keelUrl}/setup?installation_id=${options.installationId}&setup_action=install`;
      res.writeHead(302, { location: setup }).end();
      return;
    }
    unexpected.push(`${req.method} ${url.pathname}`);
    res.writeHead(501, { 'content-type': 'text/plain' }).end('Not played by the test GitHub.');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    setKeelUrl: (url) => void (keelUrl = url),
    unexpected,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** A free loopback port, so Keel can start with KEEL_PUBLIC_URL already pointing at itself. */
export async function findFreePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
