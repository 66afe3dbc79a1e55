import { addMissingFlowIds, declareUtf8, decodeBpmnBody } from './bpmn-source';

describe('reading an uploaded diagram', () => {
  it('decodes by BOM, then Content-Type charset, then the XML declaration, else UTF-8', () => {
    const latin1 = Buffer.from('<?xml version="1.0" encoding="ISO-8859-1"?><a n="Größe"/>', 'latin1');
    expect(decodeBpmnBody(latin1)).toContain('Größe');
    const utf8 = Buffer.from('<?xml version="1.0" encoding="ISO-8859-1"?><a n="审批"/>', 'utf8');
    expect(decodeBpmnBody(utf8, 'application/xml; charset=UTF-8')).toContain('审批');
    expect(decodeBpmnBody(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('<a n="审批"/>', 'utf16le')]))).toBe('<a n="审批"/>');
    expect(decodeBpmnBody(Buffer.from('<a n="审批"/>'))).toBe('<a n="审批"/>');
  });

  it('refuses an encoding Node cannot decode, and bytes that are not what the declaration says', () => {
    expect(() => decodeBpmnBody(Buffer.from('<?xml version="1.0" encoding="X-NOPE"?><a/>'))).toThrow(/X-NOPE/);
    expect(() => decodeBpmnBody(Buffer.from([0x3c, 0x61, 0xff, 0x3e]))).toThrow(/utf-8/);
  });

  it('declares UTF-8 once the text is a string, leaving a UTF-8 declaration alone', () => {
    expect(declareUtf8("<?xml version='1.0' encoding='GBK'?><a/>")).toBe("<?xml version='1.0' encoding='UTF-8'?><a/>");
    expect(declareUtf8('<?xml version="1.0" encoding="utf-8"?><a/>')).toBe('<?xml version="1.0" encoding="utf-8"?><a/>');
  });

  it('gives a sequence flow without an id a generated one that collides with nothing', () => {
    const xml =
      '<bpmn:sequenceFlow id="SequenceFlow_generated_1" sourceRef="a" targetRef="b"/><bpmn:sequenceFlow name="x > y" sourceRef="b" targetRef="c"></bpmn:sequenceFlow>';
    const out = addMissingFlowIds(xml);
    expect(out.xml).toContain('<bpmn:sequenceFlow id="SequenceFlow_generated_2" name="x > y" sourceRef="b" targetRef="c">');
    expect(out.warnings).toEqual([expect.objectContaining({ rule: 'sequence-flow-id', elementId: 'SequenceFlow_generated_2' })]);
  });
});
