import { HttpStatus } from '@nestjs/common';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { AppError } from '../platform/errors';

interface LintError {
  rule: string;
  elementId?: string;
  message: string;
}

/** Run from the repository root, as npm start and npm test do. */
const WORKER = join(process.cwd(), 'scripts', 'bpmn-lint-worker.js');

interface LintOutput {
  errors: LintError[];
  /** Set when the diagram had no layout and one was generated. */
  xml: string | null;
}

/**
 * The rules of `npm run lint` over bpmn/ (.bpmnlintrc): the recommended set and Camunda 7.22
 * compatibility. Returns the XML to store: the input, or the input with a generated layout.
 */
export async function lintBpmn(xml: string): Promise<string> {
  const { errors, xml: laidOut } = await new Promise<LintOutput>((resolve, reject) => {
    const child = execFile(process.execPath, [WORKER], { maxBuffer: 4 * 1024 * 1024, timeout: 30_000 }, (error, stdout) => {
      if (error)
        return reject(
          new AppError('DEFINITION_LINT_UNAVAILABLE', `流程定义校验未能运行：${error.message}`, HttpStatus.SERVICE_UNAVAILABLE),
        );
      resolve(JSON.parse(stdout) as LintOutput);
    });
    child.stdin?.end(xml);
  });
  if (errors.length === 0) return laidOut ?? xml;
  const first = errors[0];
  throw new AppError(
    'DEFINITION_LINT_FAILED',
    `流程定义未通过校验：规则 ${first.rule}，元素 ${first.elementId ?? '-'}：${first.message}`,
    HttpStatus.BAD_REQUEST,
    errors,
  );
}
