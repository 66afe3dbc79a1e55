import { HttpStatus } from '@nestjs/common';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import type { DefinitionWarning } from '@zhengwu/engine';
import { AppError } from '../platform/errors';

interface LintFinding {
  rule: string;
  elementId?: string;
  message: string;
  category: 'error' | 'warn' | 'info';
}

/** Run from the repository root, as npm start and npm test do. */
const WORKER = join(process.cwd(), 'scripts', 'bpmn-lint-worker.js');

interface LintOutput {
  findings: LintFinding[];
  /** Set when the stored diagram differs from the input: a generated layout, or dangling layout shapes dropped. */
  xml: string | null;
  notes: DefinitionWarning[];
}

/**
 * The bpmnlint rules (recommended + Camunda 7.22 compatibility, .bpmnlintrc) that refuse a deployment:
 * those whose finding means the diagram cannot run as drawn, or that Camunda 7 itself refuses. Every
 * other finding is about style or layout (Camunda deploys it) and comes back as a warning. README's
 * engine section has the table with the reasons.
 */
export const REFUSING_RULES: ReadonlySet<string> = new Set([
  'ad-hoc-sub-process',
  'event-based-gateway',
  'event-sub-process-typed-start-event',
  'link-event',
  'no-complex-gateway',
  'single-blank-start-event',
  'single-event-definition',
  'start-event-required',
  'sub-process-blank-start-event',
]);

export interface LintResult {
  /** The XML to store: the input, or the input with a generated layout or without dangling layout shapes. */
  xml: string;
  warnings: DefinitionWarning[];
}

/** The bpmnlint findings of a diagram, split as a deployment would split them, without refusing anything. */
export async function lintFindings(xml: string): Promise<LintResult & { errors: DefinitionWarning[] }> {
  const {
    findings,
    xml: stored,
    notes,
  } = await new Promise<LintOutput>((resolve, reject) => {
    const child = execFile(process.execPath, [WORKER], { maxBuffer: 4 * 1024 * 1024, timeout: 30_000 }, (error, stdout) => {
      if (error)
        return reject(
          new AppError('DEFINITION_LINT_UNAVAILABLE', `流程定义校验未能运行：${error.message}`, HttpStatus.SERVICE_UNAVAILABLE),
        );
      resolve(JSON.parse(stdout) as LintOutput);
    });
    child.stdin?.end(xml);
  });
  const errors = findings.filter((f) => REFUSING_RULES.has(f.rule)).map(({ rule, elementId, message }) => ({ rule, elementId, message }));
  const warnings = findings
    .filter((f) => !REFUSING_RULES.has(f.rule))
    .map(({ rule, elementId, message }) => ({ rule, elementId, message }));
  return { xml: stored ?? xml, errors, warnings: [...notes, ...warnings] };
}

/**
 * Lints a diagram on deployment. `npm run lint` applies the same rules to bpmn/ as errors, since our own
 * diagrams follow the style rules; here only the rules of REFUSING_RULES refuse.
 */
export async function lintBpmn(xml: string): Promise<LintResult> {
  const { xml: stored, errors, warnings } = await lintFindings(xml);
  if (errors.length > 0) {
    const first = errors[0];
    throw new AppError(
      'DEFINITION_LINT_FAILED',
      `流程定义未通过校验：规则 ${first.rule}，元素 ${first.elementId ?? '-'}：${first.message}`,
      HttpStatus.BAD_REQUEST,
      errors,
    );
  }
  return { xml: stored, warnings };
}
