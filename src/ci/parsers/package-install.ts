import { FailureList, pushCapped } from './failure-list.js';
import type { LogParser, ParseResult } from './log-parser.js';

const NPM_PREFIX = /^npm (?:ERR!|error) ?/;
// npm error codes that mean the install itself failed (a failing `npm test` reports `code 1`).
const NPM_INSTALL_CODES =
  /^(?:E404|ERESOLVE|ETARGET|EINTEGRITY|ENOTFOUND|ECONNRESET|ECONNREFUSED|ETIMEDOUT|EAI_AGAIN|E401|E403|E500|E503|EUSAGE|ENOVERSIONS|EBADENGINE|ENOTSUP)$/;
const NPM_NOISE =
  /^(?:A complete log of this run|For a full report see|\/\S+\.(?:log|txt)$|\s*$|404\s*$|404 +Note that you can also install|404 tarball, folder, http url)/;
const PNPM_ERROR = /^\s?(ERR_PNPM_\w+)\s+(.*)$/;
const YARN_BERRY = /^➤ (YN\d{4}): (?:│ )?(.*)$/;
// YN0000 is informational; the others listed here are warnings.
const YARN_BERRY_BENIGN = /^YN(?:0000|0002|0007|0008|0013|0032|0060|0061|0086)$/;
const YARN_CLASSIC =
  /^error (?:An unexpected error occurred|Couldn't find (?:package|any versions)|Your lockfile needs to be updated|.*(?:integrity check failed|Incorrect integrity|Command failed.*install))/;

// The lines this parser reacts to while idle; a cheap first test before its own patterns.
const IDLE_LINE = /^(?:npm (?:ERR!|error)|\s?ERR_PNPM_|➤ YN|error )/;

/** Install failures of npm, pnpm and yarn (classic and berry); a failing npm script is not one. */
export function createPackageInstallParser(): LogParser {
  const list = new FailureList();
  let tool = 'npm';
  const npmBlock: string[] = [];
  let npmCode: string | undefined;
  let npmPathInDependency = false;
  let follow: string[] | null = null; // pnpm prints its explanation on the lines after the code

  return {
    tool: 'npm',
    get capturing() {
      return follow !== null;
    },
    feed(line) {
      if (!this.capturing && !IDLE_LINE.test(line)) return;
      if (follow) {
        if (/^Progress: /.test(line) || follow.length >= 8) {
          follow = null;
        } else {
          if (line.trim().length > 0) pushCapped(follow, line);
          return;
        }
      }
      const npm = NPM_PREFIX.exec(line);
      if (npm) {
        const text = line.slice(npm[0].length);
        const code = /^code (\S+)$/.exec(text);
        if (code) npmCode ??= code[1];
        if (/^path \/\S*node_modules\//.test(text)) npmPathInDependency = true;
        if (!NPM_NOISE.test(text) && npmBlock.length < 40) npmBlock.push(line);
        return;
      }
      const pnpm = PNPM_ERROR.exec(line);
      if (pnpm) {
        tool = 'pnpm';
        list.add({ message: `${pnpm[1] ?? ''}: ${pnpm[2] ?? ''}` });
        follow = list.startBlock();
        pushCapped(follow, line.trim());
        return;
      }
      const berry = YARN_BERRY.exec(line);
      if (berry && !YARN_BERRY_BENIGN.test(berry[1] ?? '')) {
        tool = 'yarn';
        list.add({ message: `${berry[1] ?? ''}: ${berry[2] ?? ''}` });
        pushCapped(list.blocks[0] ?? list.startBlock(), line);
        return;
      }
      if (YARN_CLASSIC.test(line)) {
        tool = 'yarn';
        list.add({ message: line.slice('error '.length) });
        pushCapped(list.blocks[0] ?? list.startBlock(), line);
      }
    },
    finish(): ParseResult | null {
      const npmFailed = npmCode !== undefined && (NPM_INSTALL_CODES.test(npmCode) || npmPathInDependency);
      if (npmFailed) {
        const message = npmBlock
          .map((line) => line.replace(NPM_PREFIX, ''))
          .find((text) => !/^code /.test(text) && text.trim().length > 0);
        list.add({ message: `${npmCode ?? ''}: ${message ?? 'npm install failed'}` });
        list.blocks.unshift(npmBlock.slice(0, 14));
        tool = 'npm';
      }
      if (list.count === 0) return null;
      return {
        tool,
        kind: 'dependency-install',
        failures: list.failures,
        failureCount: list.count,
        blocks: list.blocks,
        confidence: 0.85,
      };
    },
  };
}
