import { HttpStatus } from '@nestjs/common';
import type { DefinitionWarning } from '@zhengwu/engine';
import { TextDecoder } from 'node:util';
import { AppError } from '../platform/errors';

/** `<?xml version="1.0" encoding="ISO-8859-1"?>`: the declared encoding, read from the ASCII-compatible start of the bytes. */
const DECLARED_ENCODING = /^\s*<\?xml[^>]*?\bencoding\s*=\s*(["'])([A-Za-z0-9._:-]+)\1/;

function charsetOf(contentType: string | undefined): string | undefined {
  const match = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType ?? '');
  return match?.[1];
}

/**
 * Decodes an uploaded diagram the way an XML parser does (RFC 7303): a byte-order mark, else the
 * charset of the Content-Type, else the encoding the XML declaration names, else UTF-8. Camunda
 * reads latin1 or GBK files as declared; so do we, with the decoders Node ships (WHATWG labels).
 */
export function decodeBpmnBody(bytes: Buffer, contentType?: string): string {
  let encoding: string;
  let start = 0;
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) [encoding, start] = ['utf-8', 3];
  else if (bytes[0] === 0xff && bytes[1] === 0xfe) [encoding, start] = ['utf-16le', 2];
  else if (bytes[0] === 0xfe && bytes[1] === 0xff) [encoding, start] = ['utf-16be', 2];
  else encoding = charsetOf(contentType) ?? DECLARED_ENCODING.exec(bytes.subarray(0, 256).toString('latin1'))?.[2] ?? 'utf-8';
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(encoding, { fatal: true });
  } catch {
    throw new AppError(
      'DEFINITION_ENCODING_UNSUPPORTED',
      `不支持 BPMN XML 声明的字符编码 ${encoding}；请另存为 UTF-8（或 GB18030、GBK、ISO-8859-1）`,
      HttpStatus.BAD_REQUEST,
      { encoding },
    );
  }
  try {
    return decoder.decode(bytes.subarray(start));
  } catch {
    throw new AppError(
      'DEFINITION_ENCODING_INVALID',
      `BPMN XML 的内容不是有效的 ${encoding} 编码；请检查文件声明的编码与实际保存的编码是否一致`,
      HttpStatus.BAD_REQUEST,
      { encoding },
    );
  }
}

/**
 * Once the text is a string its encoding is settled: the declaration is rewritten to UTF-8 (how it is
 * stored and served) instead of being refused.
 */
export function declareUtf8(xml: string): string {
  return xml.replace(DECLARED_ENCODING, (whole, quote: string, name: string) =>
    /^utf-?8$/i.test(name) ? whole : whole.replace(`${quote}${name}${quote}`, `${quote}UTF-8${quote}`),
  );
}

/** A start tag of a sequence flow and its attributes (quoted values may hold `>`). */
const FLOW_TAG = /<((?:[\w.-]+:)?sequenceFlow)((?:\s+[\w:.-]+\s*=\s*(?:"[^"]*"|'[^']*'))*)(\s*\/?)>/g;

/**
 * Camunda deploys sequence flows without an id (its parser creates a transition with a null id); the
 * runtime and the history need one, so each gets a generated id, reported as a warning.
 */
export function addMissingFlowIds(xml: string): { xml: string; warnings: DefinitionWarning[] } {
  const warnings: DefinitionWarning[] = [];
  let n = 0;
  const out = xml.replace(FLOW_TAG, (whole, tag: string, attrs: string, end: string) => {
    if (/\sid\s*=/.test(attrs)) return whole;
    let id: string;
    do id = `SequenceFlow_generated_${++n}`;
    while (xml.includes(`"${id}"`));
    const source = /\ssourceRef\s*=\s*["']([^"']*)/.exec(attrs)?.[1] ?? '?';
    const target = /\stargetRef\s*=\s*["']([^"']*)/.exec(attrs)?.[1] ?? '?';
    warnings.push({
      rule: 'sequence-flow-id',
      elementId: id,
      message: `从 ${source} 到 ${target} 的连线没有 id，已生成 ${id}`,
    });
    return `<${tag} id="${id}"${attrs}${end}>`;
  });
  return { xml: out, warnings };
}
