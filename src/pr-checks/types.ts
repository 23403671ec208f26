/** Shapes shared by the pr-checks audit and its rules; re-exported from `audit.ts`. */
import type { PrChecksConfig } from './config.js';
import type { ActionFacts, SkippedAudit } from './workflow-audits/action-facts.js';

/** A file as GitHub's "list pull request files" endpoint returns it (the fields Keel reads). */
export interface ChangedFile {
  filename: string;
  status: 'added' | 'removed' | 'modified' | 'renamed' | 'copied' | 'changed' | 'unchanged';
  additions: number;
  deletions: number;
  changes: number;
  /** Absent when GitHub omits the diff (too large, binary). */
  patch?: string;
  previous_filename?: string;
}

export type RuleId = 'secrets' | 'conflict-markers' | 'workflow-risks' | 'size' | 'title';

export interface AuditInput {
  title: string;
  body: string | null;
  files: ChangedFile[];
  /** Full content at the head SHA of each path returned by `workflowFilesToFetch`. */
  workflowContents: Map<string, string>;
  config: PrChecksConfig;
  /** Re-run just these rules (for example only `title` when the title is edited). */
  only?: RuleId[];
  /** Self-hosted runners are a risk only where anyone can open a pull request. */
  publicRepository?: boolean;
  /** Advisories, branches and tags of the actions the changed workflows use (online-facts.ts). */
  actionFacts?: ActionFacts;
}

export interface Finding {
  rule: RuleId;
  /** Which workflow audit (zizmor's id) raised a `workflow-risks` finding. */
  audit?: string;
  severity: 'failure' | 'warning';
  file: string | null;
  line: number | null;
  title: string;
  explanation: string;
  fix: string;
  /** What was seen; secrets are always masked. */
  evidence?: string;
  link?: string;
}

export interface NotAudited {
  file: string;
  reason: string;
}

export interface AuditResult {
  state: 'success' | 'failure';
  /** At most 140 characters (GitHub's limit for commit status descriptions). */
  description: string;
  findings: Finding[];
  notAudited: NotAudited[];
  filesAudited: number;
  addedLines: number;
  /** Workflow audits left out for an action because GitHub could not answer. */
  skippedAudits?: SkippedAudit[];
}

/** A line the pull request adds, numbered as in the new file. */
export interface AddedLine {
  line: number;
  text: string;
}
