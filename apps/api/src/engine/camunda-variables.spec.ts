import { nextVariableTypes, readTypedVariables, toTypedVariables, type TypedValue } from './camunda-variables';

/** Reads a request's typed values and hands them back as a worker would receive them. */
function roundTrip(sent: Record<string, TypedValue>): { plain: Record<string, unknown>; back: Record<string, TypedValue> } {
  const read = readTypedVariables(sent);
  const types = nextVariableTypes({}, read.values, read.values, read);
  return { plain: read.values, back: toTypedVariables(read.values, types) };
}

describe('Camunda typed variables', () => {
  it('hands every type back exactly as it was sent, while the case keeps plain values its expressions can read', () => {
    const pdf = Buffer.from('盖章件').toString('base64');
    const { plain, back } = roundTrip({
      s: { type: 'String', value: '关于报送计划的通知' },
      b: { type: 'Boolean', value: false },
      sh: { type: 'Short', value: 7 },
      i: { type: 'Integer', value: 3 },
      l: { type: 'Long', value: 5 },
      bigL: { type: 'Long', value: 2 ** 40 },
      d: { type: 'Double', value: 2.0 },
      d2: { type: 'Double', value: 12.5 },
      when: { type: 'Date', value: '2026-11-24T08:00:00.000+0800' },
      j: { type: 'Json', value: '{"by":"信息中心","pages":[1,2]}' },
      js: { type: 'Json', value: '"只是一个字符串"' },
      o: {
        type: 'Object',
        value: '{"name":"张伟"}',
        valueInfo: { objectTypeName: 'gov.zhengwu.Person', serializationDataFormat: 'application/json' },
      },
      bytes: { type: 'Bytes', value: Buffer.from([0, 1, 2, 255]).toString('base64') },
      f: { type: 'File', value: pdf, valueInfo: { filename: '盖章.pdf', mimeType: 'application/pdf', encoding: 'UTF-8' } },
      n: { type: 'Null', value: null },
      typedNull: { type: 'String', value: null },
    });
    // What expressions read: a Date is its UTC instant, a Double 2.0 the number 2, Json/Object the parsed value.
    expect(plain).toEqual(
      expect.objectContaining({
        when: '2026-11-24T00:00:00.000Z',
        d: 2,
        l: 5,
        j: { by: '信息中心', pages: [1, 2] },
        o: { name: '张伟' },
        typedNull: null,
      }),
    );
    expect(back).toEqual({
      s: { type: 'String', value: '关于报送计划的通知', valueInfo: {} },
      b: { type: 'Boolean', value: false, valueInfo: {} },
      sh: { type: 'Short', value: 7, valueInfo: {} },
      i: { type: 'Integer', value: 3, valueInfo: {} },
      l: { type: 'Long', value: 5, valueInfo: {} },
      bigL: { type: 'Long', value: 2 ** 40, valueInfo: {} },
      d: { type: 'Double', value: 2, valueInfo: {} },
      d2: { type: 'Double', value: 12.5, valueInfo: {} },
      when: { type: 'Date', value: '2026-11-24T00:00:00.000+0000', valueInfo: {} },
      j: { type: 'Json', value: '{"by":"信息中心","pages":[1,2]}', valueInfo: {} },
      js: { type: 'Json', value: '"只是一个字符串"', valueInfo: {} },
      o: {
        type: 'Object',
        value: '{"name":"张伟"}',
        valueInfo: { objectTypeName: 'gov.zhengwu.Person', serializationDataFormat: 'application/json' },
      },
      bytes: { type: 'Bytes', value: Buffer.from([0, 1, 2, 255]).toString('base64'), valueInfo: {} },
      // As Camunda: a File's content is fetched from its data route, not sent with the task.
      f: {
        type: 'File',
        value: null,
        valueInfo: { filename: '盖章.pdf', mimeType: 'application/pdf', mimetype: 'application/pdf', encoding: 'UTF-8' },
      },
      n: { type: 'Null', value: null, valueInfo: {} },
      typedNull: { type: 'String', value: null, valueInfo: {} },
    });
  });

  it('reads the lower-case types camunda-external-task-client-js sends, and its mimetype spelling', () => {
    const read = readTypedVariables({
      when: { type: 'date', value: '2026-11-24T00:00:00.000+0000' },
      f: { type: 'file', value: 'AAE=', valueInfo: { filename: 'a.bin', mimetype: 'application/octet-stream' } },
    });
    expect(read.types).toEqual({ when: { type: 'Date' }, f: { type: 'File' } });
    expect(read.values.f).toEqual(expect.objectContaining({ mimetype: 'application/octet-stream', base64: 'AAE=' }));
  });

  it('refuses values that would not come back as they were sent, naming the variable', () => {
    const refuse = (typed: TypedValue) => () => readTypedVariables({ v: typed });
    expect(refuse({ type: 'Integer', value: 2 ** 31 })).toThrow(/'v'.*out of range/);
    expect(refuse({ type: 'Short', value: 40_000 })).toThrow(/out of range/);
    expect(refuse({ type: 'Integer', value: 2.5 })).toThrow(/whole number/);
    expect(refuse({ type: 'Long', value: '9007199254740993' })).toThrow(/cannot be kept exactly/);
    expect(refuse({ type: 'Date', value: '24.11.2026' })).toThrow(/date-time with an offset/);
    expect(refuse({ type: 'Date', value: '2026-11-24T08:00:00' })).toThrow(/offset/);
    expect(
      refuse({ type: 'Object', value: 'rO0AB', valueInfo: { serializationDataFormat: 'application/x-java-serialized-object' } }),
    ).toThrow(/only as JSON/);
    expect(refuse({ type: 'Bytes', value: 'not base64!' })).toThrow(/base64/);
    expect(refuse({ type: 'Xml', value: '<a/>' })).toThrow(/unsupported type Xml/);
    expect(refuse({ type: 'Json', value: '{' })).toThrow(/not valid JSON/);
  });

  it('forgets the type of a value another step changed, keeps the others, and types what this step wrote', () => {
    const before = { when: { type: 'Date' as const }, ratio: { type: 'Double' as const }, count: { type: 'Long' as const } };
    // A user task changed `when` to a plain string; a worker wrote ratio = 3.0 as Double again; count untouched.
    const after = { when: '下周一', ratio: 3, count: 5, fresh: 7 };
    const next = nextVariableTypes(before, { when: '下周一', ratio: 3, fresh: 7 }, after, {
      values: { ratio: 3, fresh: 7 },
      types: { ratio: { type: 'Double' }, fresh: { type: 'Integer' } },
    });
    expect(next).toEqual({ ratio: { type: 'Double' }, count: { type: 'Long' } });
    expect(toTypedVariables(after, next)).toEqual({
      when: { type: 'String', value: '下周一', valueInfo: {} },
      ratio: { type: 'Double', value: 3, valueInfo: {} },
      count: { type: 'Long', value: 5, valueInfo: {} },
      fresh: { type: 'Integer', value: 7, valueInfo: {} },
    });
  });

  it('drops a written type when the diagram changed the value within the same step', () => {
    const next = nextVariableTypes({}, { d: 4 }, { d: 4 }, { values: { d: 2 }, types: { d: { type: 'Double' } } });
    expect(next).toEqual({});
  });

  it('retypes a value written again unchanged with another type (Integer 2 sent again as Double 2.0)', () => {
    const next = nextVariableTypes({}, {}, { d: 2 }, { values: { d: 2 }, types: { d: { type: 'Double' } } });
    expect(next).toEqual({ d: { type: 'Double' } });
    const back = nextVariableTypes(next, {}, { d: 2 }, { values: { d: 2 }, types: { d: { type: 'Integer' } } });
    expect(back).toEqual({});
  });

  it('never lets a stale type misdescribe a value', () => {
    expect(toTypedVariables({ when: 'nicht ein Datum', n: 'x' }, { when: { type: 'Date' }, n: { type: 'Double' } })).toEqual({
      when: { type: 'String', value: 'nicht ein Datum', valueInfo: {} },
      n: { type: 'String', value: 'x', valueInfo: {} },
    });
  });
});
