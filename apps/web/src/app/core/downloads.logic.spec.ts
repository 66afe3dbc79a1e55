import { fileNameOf } from './downloads.logic';

describe('download names', () => {
  it('reads the download name from Content-Disposition', () => {
    expect(
      fileNameOf(`attachment; filename*=UTF-8''${encodeURIComponent('移交封装包-2025年度.xml')}`),
    ).toBe('移交封装包-2025年度.xml');
    expect(fileNameOf('attachment; filename="metadata.xsd"')).toBe('metadata.xsd');
    expect(fileNameOf(null)).toBeUndefined();
    expect(fileNameOf("attachment; filename*=UTF-8''%E0%A4%A")).toBeUndefined();
  });
});
