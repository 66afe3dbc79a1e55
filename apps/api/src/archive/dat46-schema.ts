import { validateXML } from 'xmllint-wasm';

/**
 * The schema of metadata.xml (format 2), kept by the project: every element of DA/T 46-2009 the
 * package uses, its number fixed as the 编号 attribute, lengths (GD-1-2), types and formats (GD-1-3)
 * and value ranges (GD-1-4). Served at GET /api/archive/schema/metadata.xsd so a 档案馆 can validate
 * packages with its own tools. The lengths and ranges are this platform's choices where DA/T 46 leaves
 * them open; docs/archive.md lists them.
 */
export const METADATA_XSD = `<?xml version="1.0" encoding="UTF-8"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns="urn:zhengwu:archive:da-t-46-2009"
  targetNamespace="urn:zhengwu:archive:da-t-46-2009" elementFormDefault="qualified" attributeFormDefault="unqualified">

  <xs:simpleType name="文本200"><xs:restriction base="xs:string"><xs:minLength value="1"/><xs:maxLength value="200"/></xs:restriction></xs:simpleType>
  <xs:simpleType name="文本500"><xs:restriction base="xs:string"><xs:minLength value="1"/><xs:maxLength value="500"/></xs:restriction></xs:simpleType>
  <xs:simpleType name="文本2000"><xs:restriction base="xs:string"><xs:minLength value="1"/><xs:maxLength value="2000"/></xs:restriction></xs:simpleType>
  <xs:simpleType name="文本4000"><xs:restriction base="xs:string"><xs:maxLength value="4000"/></xs:restriction></xs:simpleType>
  <xs:simpleType name="代码"><xs:restriction base="xs:string"><xs:pattern value="[A-Z0-9]{1,12}"/></xs:restriction></xs:simpleType>
  <xs:simpleType name="摘要值"><xs:restriction base="xs:string"><xs:pattern value="[0-9a-f]{64}"/></xs:restriction></xs:simpleType>

  <xs:complexType name="编号文本200"><xs:simpleContent><xs:extension base="文本200"><xs:attribute name="编号" type="xs:string" use="required"/></xs:extension></xs:simpleContent></xs:complexType>

  <xs:element name="文件实体">
    <xs:complexType>
      <xs:sequence>
        <xs:element name="聚合层次">
          <xs:complexType><xs:simpleContent><xs:extension base="聚合层次值"><xs:attribute name="编号" fixed="M1" use="required"/></xs:extension></xs:simpleContent></xs:complexType>
        </xs:element>
        <xs:element name="来源">
          <xs:complexType>
            <xs:sequence>
              <xs:element name="档案馆名称" minOccurs="0"><xs:complexType><xs:simpleContent><xs:extension base="文本200"><xs:attribute name="编号" fixed="M3" use="required"/></xs:extension></xs:simpleContent></xs:complexType></xs:element>
              <xs:element name="档案馆代码" minOccurs="0"><xs:complexType><xs:simpleContent><xs:extension base="代码"><xs:attribute name="编号" fixed="M4" use="required"/></xs:extension></xs:simpleContent></xs:complexType></xs:element>
              <xs:element name="全宗名称"><xs:complexType><xs:simpleContent><xs:extension base="文本200"><xs:attribute name="编号" fixed="M5" use="required"/></xs:extension></xs:simpleContent></xs:complexType></xs:element>
              <xs:element name="立档单位名称"><xs:complexType><xs:simpleContent><xs:extension base="文本200"><xs:attribute name="编号" fixed="M6" use="required"/></xs:extension></xs:simpleContent></xs:complexType></xs:element>
            </xs:sequence>
            <xs:attribute name="编号" fixed="M2" use="required"/>
          </xs:complexType>
        </xs:element>
        <xs:element name="电子文件号"><xs:complexType><xs:simpleContent><xs:extension base="文本200"><xs:attribute name="编号" fixed="M7" use="required"/></xs:extension></xs:simpleContent></xs:complexType></xs:element>
        <xs:element name="档号">
          <xs:complexType>
            <xs:sequence>
              <xs:element name="全宗号"><xs:complexType><xs:simpleContent><xs:extension base="代码"><xs:attribute name="编号" fixed="M9" use="required"/></xs:extension></xs:simpleContent></xs:complexType></xs:element>
              <xs:element name="年度"><xs:complexType><xs:simpleContent><xs:extension base="年度值"><xs:attribute name="编号" fixed="M11" use="required"/></xs:extension></xs:simpleContent></xs:complexType></xs:element>
              <xs:element name="保管期限">
                <xs:complexType><xs:simpleContent><xs:extension base="保管期限值">
                  <xs:attribute name="编号" fixed="M12" use="required"/>
                  <xs:attribute name="代码" type="保管期限代码" use="required"/>
                </xs:extension></xs:simpleContent></xs:complexType>
              </xs:element>
              <xs:element name="机构或问题"><xs:complexType><xs:simpleContent><xs:extension base="代码"><xs:attribute name="编号" fixed="M13" use="required"/></xs:extension></xs:simpleContent></xs:complexType></xs:element>
              <xs:element name="室编件号"><xs:complexType><xs:simpleContent><xs:extension base="件号值"><xs:attribute name="编号" fixed="M17" use="required"/></xs:extension></xs:simpleContent></xs:complexType></xs:element>
            </xs:sequence>
            <xs:attribute name="编号" fixed="M8" use="required"/>
            <xs:attribute name="值" type="档号值" use="required"/>
          </xs:complexType>
        </xs:element>
        <xs:element name="内容描述">
          <xs:complexType>
            <xs:sequence>
              <xs:element name="题名"><xs:complexType><xs:simpleContent><xs:extension base="文本500"><xs:attribute name="编号" fixed="M22" use="required"/></xs:extension></xs:simpleContent></xs:complexType></xs:element>
              <xs:element name="文件编号" minOccurs="0"><xs:complexType><xs:simpleContent><xs:extension base="文本200"><xs:attribute name="编号" fixed="M31" use="required"/></xs:extension></xs:simpleContent></xs:complexType></xs:element>
              <xs:element name="责任者"><xs:complexType><xs:simpleContent><xs:extension base="文本200"><xs:attribute name="编号" fixed="M32" use="required"/></xs:extension></xs:simpleContent></xs:complexType></xs:element>
              <xs:element name="日期"><xs:complexType><xs:simpleContent><xs:extension base="xs:date"><xs:attribute name="编号" fixed="M33" use="required"/></xs:extension></xs:simpleContent></xs:complexType></xs:element>
              <xs:element name="文种"><xs:complexType><xs:simpleContent><xs:extension base="文种值"><xs:attribute name="编号" fixed="M34" use="required"/></xs:extension></xs:simpleContent></xs:complexType></xs:element>
              <xs:element name="紧急程度"><xs:complexType><xs:simpleContent><xs:extension base="紧急程度值"><xs:attribute name="编号" fixed="M35" use="required"/></xs:extension></xs:simpleContent></xs:complexType></xs:element>
              <xs:element name="主送" minOccurs="0"><xs:complexType><xs:simpleContent><xs:extension base="文本2000"><xs:attribute name="编号" fixed="M36" use="required"/></xs:extension></xs:simpleContent></xs:complexType></xs:element>
              <xs:element name="抄送" minOccurs="0"><xs:complexType><xs:simpleContent><xs:extension base="文本2000"><xs:attribute name="编号" fixed="M37" use="required"/></xs:extension></xs:simpleContent></xs:complexType></xs:element>
              <xs:element name="密级"><xs:complexType><xs:simpleContent><xs:extension base="密级值"><xs:attribute name="编号" fixed="M38" use="required"/></xs:extension></xs:simpleContent></xs:complexType></xs:element>
              <xs:element name="保密期限" minOccurs="0"><xs:complexType><xs:simpleContent><xs:extension base="文本200"><xs:attribute name="编号" fixed="M39" use="required"/></xs:extension></xs:simpleContent></xs:complexType></xs:element>
            </xs:sequence>
            <xs:attribute name="编号" fixed="M21" use="required"/>
          </xs:complexType>
        </xs:element>
        <xs:element name="形式特征">
          <xs:complexType>
            <xs:sequence>
              <xs:element name="文件组合类型"><xs:complexType><xs:simpleContent><xs:extension base="文件组合类型值"><xs:attribute name="编号" fixed="M41" use="required"/></xs:extension></xs:simpleContent></xs:complexType></xs:element>
              <xs:element name="件数"><xs:complexType><xs:simpleContent><xs:extension base="xs:positiveInteger"><xs:attribute name="编号" fixed="M42" use="required"/></xs:extension></xs:simpleContent></xs:complexType></xs:element>
              <xs:element name="页数"><xs:complexType><xs:simpleContent><xs:extension base="xs:nonNegativeInteger"><xs:attribute name="编号" fixed="M43" use="required"/></xs:extension></xs:simpleContent></xs:complexType></xs:element>
              <xs:element name="语种"><xs:complexType><xs:simpleContent><xs:extension base="文本200"><xs:attribute name="编号" fixed="M44" use="required"/></xs:extension></xs:simpleContent></xs:complexType></xs:element>
              <xs:element name="稿本"><xs:complexType><xs:simpleContent><xs:extension base="稿本值"><xs:attribute name="编号" fixed="M45" use="required"/></xs:extension></xs:simpleContent></xs:complexType></xs:element>
            </xs:sequence>
            <xs:attribute name="编号" fixed="M40" use="required"/>
          </xs:complexType>
        </xs:element>
        <xs:element name="存储位置">
          <xs:complexType>
            <xs:sequence>
              <xs:element name="当前位置"><xs:complexType><xs:simpleContent><xs:extension base="文本500"><xs:attribute name="编号" fixed="M66" use="required"/></xs:extension></xs:simpleContent></xs:complexType></xs:element>
            </xs:sequence>
            <xs:attribute name="编号" fixed="M65" use="required"/>
          </xs:complexType>
        </xs:element>
        <xs:element name="权限管理">
          <xs:complexType>
            <xs:sequence>
              <xs:element name="授权对象"><xs:complexType><xs:simpleContent><xs:extension base="文本200"><xs:attribute name="编号" fixed="M72" use="required"/></xs:extension></xs:simpleContent></xs:complexType></xs:element>
              <xs:element name="授权行为"><xs:complexType><xs:simpleContent><xs:extension base="文本200"><xs:attribute name="编号" fixed="M73" use="required"/></xs:extension></xs:simpleContent></xs:complexType></xs:element>
              <xs:element name="控制标识"><xs:complexType><xs:simpleContent><xs:extension base="控制标识值"><xs:attribute name="编号" fixed="M74" use="required"/></xs:extension></xs:simpleContent></xs:complexType></xs:element>
            </xs:sequence>
            <xs:attribute name="编号" fixed="M70" use="required"/>
          </xs:complexType>
        </xs:element>
        <xs:element name="信息系统描述"><xs:complexType><xs:simpleContent><xs:extension base="文本500"><xs:attribute name="编号" fixed="M51" use="required"/></xs:extension></xs:simpleContent></xs:complexType></xs:element>
        <xs:element name="文件数据">
          <xs:complexType>
            <xs:sequence>
              <xs:element name="文档" maxOccurs="unbounded">
                <xs:complexType>
                  <xs:sequence>
                    <xs:element name="题名" type="文本500"/>
                    <xs:element name="电子属性">
                      <xs:complexType>
                        <xs:sequence>
                          <xs:element name="格式信息">
                            <xs:complexType><xs:simpleContent><xs:extension base="文本200">
                              <xs:attribute name="编号" fixed="M47" use="required"/>
                              <xs:attribute name="格式名称" type="格式名称值" use="required"/>
                              <xs:attribute name="格式版本" type="xs:string" use="required"/>
                              <xs:attribute name="媒体类型" type="媒体类型值" use="required"/>
                            </xs:extension></xs:simpleContent></xs:complexType>
                          </xs:element>
                          <xs:element name="计算机文件名"><xs:complexType><xs:simpleContent><xs:extension base="文件名值"><xs:attribute name="编号" fixed="M48" use="required"/></xs:extension></xs:simpleContent></xs:complexType></xs:element>
                          <xs:element name="计算机文件大小">
                            <xs:complexType><xs:simpleContent><xs:extension base="xs:nonNegativeInteger">
                              <xs:attribute name="编号" fixed="M49" use="required"/>
                              <xs:attribute name="单位" fixed="字节" use="required"/>
                            </xs:extension></xs:simpleContent></xs:complexType>
                          </xs:element>
                          <xs:element name="文档创建程序"><xs:complexType><xs:simpleContent><xs:extension base="文本200"><xs:attribute name="编号" fixed="M50" use="required"/></xs:extension></xs:simpleContent></xs:complexType></xs:element>
                        </xs:sequence>
                        <xs:attribute name="编号" fixed="M46" use="required"/>
                      </xs:complexType>
                    </xs:element>
                    <xs:element name="数字摘要" minOccurs="2" maxOccurs="2">
                      <xs:complexType><xs:simpleContent><xs:extension base="摘要值"><xs:attribute name="算法" type="摘要算法" use="required"/></xs:extension></xs:simpleContent></xs:complexType>
                    </xs:element>
                  </xs:sequence>
                  <xs:attribute name="文档序号" type="xs:positiveInteger" use="required"/>
                  <xs:attribute name="文档主从声明" type="主从声明值" use="required"/>
                  <xs:attribute name="角色" type="文档角色" use="required"/>
                </xs:complexType>
              </xs:element>
            </xs:sequence>
          </xs:complexType>
        </xs:element>
        <xs:element name="电子签名" maxOccurs="unbounded">
          <xs:complexType>
            <xs:sequence>
              <xs:element name="签名规则"><xs:complexType><xs:simpleContent><xs:extension base="文本500"><xs:attribute name="编号" fixed="M58" use="required"/></xs:extension></xs:simpleContent></xs:complexType></xs:element>
              <xs:element name="签名时间"><xs:complexType><xs:simpleContent><xs:extension base="xs:dateTime"><xs:attribute name="编号" fixed="M59" use="required"/></xs:extension></xs:simpleContent></xs:complexType></xs:element>
              <xs:element name="签名人"><xs:complexType><xs:simpleContent><xs:extension base="文本200"><xs:attribute name="编号" fixed="M60" use="required"/></xs:extension></xs:simpleContent></xs:complexType></xs:element>
              <xs:element name="签名结果"><xs:complexType><xs:simpleContent><xs:extension base="文本500"><xs:attribute name="编号" fixed="M61" use="required"/></xs:extension></xs:simpleContent></xs:complexType></xs:element>
              <xs:element name="证书">
                <xs:complexType><xs:simpleContent><xs:extension base="证书值">
                  <xs:attribute name="编号" fixed="M62" use="required"/>
                  <xs:attribute name="类型" type="证书类型" use="required"/>
                </xs:extension></xs:simpleContent></xs:complexType>
              </xs:element>
              <xs:element name="证书引证"><xs:complexType><xs:simpleContent><xs:extension base="文本500"><xs:attribute name="编号" fixed="M63" use="required"/></xs:extension></xs:simpleContent></xs:complexType></xs:element>
              <xs:element name="签名算法标识"><xs:complexType><xs:simpleContent><xs:extension base="算法标识"><xs:attribute name="编号" fixed="M64" use="required"/></xs:extension></xs:simpleContent></xs:complexType></xs:element>
            </xs:sequence>
            <xs:attribute name="编号" fixed="M57" use="required"/>
          </xs:complexType>
        </xs:element>
        <xs:element name="业务实体">
          <xs:complexType>
            <xs:sequence>
              <xs:element name="业务" maxOccurs="unbounded">
                <xs:complexType>
                  <xs:sequence>
                    <xs:element name="业务状态" type="文本4000"/>
                    <xs:element name="业务行为" type="文本200"/>
                    <xs:element name="行为时间" type="xs:dateTime"/>
                    <xs:element name="行为依据" type="文本500"/>
                    <xs:element name="行为描述" type="文本4000" minOccurs="0"/>
                    <xs:element name="机构人员">
                      <xs:complexType>
                        <xs:sequence>
                          <xs:element name="机构人员名称" type="文本200"/>
                          <xs:element name="所属机构" type="文本200" minOccurs="0"/>
                        </xs:sequence>
                      </xs:complexType>
                    </xs:element>
                  </xs:sequence>
                  <xs:attribute name="序号" type="xs:positiveInteger" use="required"/>
                </xs:complexType>
              </xs:element>
            </xs:sequence>
          </xs:complexType>
        </xs:element>
        <xs:element name="附注" type="文本4000" minOccurs="0"/>
      </xs:sequence>
      <xs:attribute name="格式版本" fixed="2" use="required"/>
      <xs:attribute name="依据" type="xs:string" use="required"/>
    </xs:complexType>
  </xs:element>

  <xs:simpleType name="聚合层次值"><xs:restriction base="xs:string"><xs:enumeration value="件"/><xs:enumeration value="卷"/></xs:restriction></xs:simpleType>
  <xs:simpleType name="年度值"><xs:restriction base="xs:gYear"><xs:minInclusive value="1949"/><xs:maxInclusive value="2999"/></xs:restriction></xs:simpleType>
  <xs:simpleType name="保管期限值"><xs:restriction base="xs:string"><xs:enumeration value="永久"/><xs:enumeration value="30年"/><xs:enumeration value="10年"/></xs:restriction></xs:simpleType>
  <xs:simpleType name="保管期限代码"><xs:restriction base="xs:string"><xs:enumeration value="Y"/><xs:enumeration value="D30"/><xs:enumeration value="D10"/></xs:restriction></xs:simpleType>
  <xs:simpleType name="件号值"><xs:restriction base="xs:string"><xs:pattern value="[0-9]{4,6}"/></xs:restriction></xs:simpleType>
  <xs:simpleType name="档号值"><xs:restriction base="xs:string"><xs:pattern value="[A-Z0-9]{1,12}-[0-9]{4}-(Y|D30|D10)-[A-Z0-9]{1,12}-[0-9]{4,6}"/></xs:restriction></xs:simpleType>
  <xs:simpleType name="文种值">
    <xs:restriction base="xs:string">
      <xs:enumeration value="决议"/><xs:enumeration value="决定"/><xs:enumeration value="命令"/><xs:enumeration value="公报"/>
      <xs:enumeration value="公告"/><xs:enumeration value="通告"/><xs:enumeration value="意见"/><xs:enumeration value="通知"/>
      <xs:enumeration value="通报"/><xs:enumeration value="报告"/><xs:enumeration value="请示"/><xs:enumeration value="批复"/>
      <xs:enumeration value="议案"/><xs:enumeration value="函"/><xs:enumeration value="纪要"/>
      <xs:enumeration value="备案"/><xs:enumeration value="立项"/><xs:enumeration value="审批"/><xs:enumeration value="数据申请"/>
      <xs:enumeration value="其他"/>
    </xs:restriction>
  </xs:simpleType>
  <xs:simpleType name="紧急程度值"><xs:restriction base="xs:string"><xs:enumeration value="平急"/><xs:enumeration value="加急"/><xs:enumeration value="特急"/><xs:enumeration value="特提"/></xs:restriction></xs:simpleType>
  <xs:simpleType name="密级值"><xs:restriction base="xs:string"><xs:enumeration value="非密"/><xs:enumeration value="秘密"/><xs:enumeration value="机密"/><xs:enumeration value="绝密"/></xs:restriction></xs:simpleType>
  <xs:simpleType name="文件组合类型值"><xs:restriction base="xs:string"><xs:enumeration value="单件"/><xs:enumeration value="组合文件"/></xs:restriction></xs:simpleType>
  <xs:simpleType name="稿本值">
    <xs:restriction base="xs:string">
      <xs:enumeration value="草稿"/><xs:enumeration value="定稿"/><xs:enumeration value="正本"/><xs:enumeration value="副本"/>
      <xs:enumeration value="试行本"/><xs:enumeration value="修订本"/>
    </xs:restriction>
  </xs:simpleType>
  <xs:simpleType name="控制标识值"><xs:restriction base="xs:string"><xs:enumeration value="开放"/><xs:enumeration value="控制"/></xs:restriction></xs:simpleType>
  <xs:simpleType name="主从声明值"><xs:restriction base="xs:string"><xs:enumeration value="主文档"/><xs:enumeration value="附属文档"/></xs:restriction></xs:simpleType>
  <xs:simpleType name="文档角色"><xs:restriction base="xs:string"><xs:enumeration value="正文"/><xs:enumeration value="附件"/><xs:enumeration value="办理单"/><xs:enumeration value="公钥"/></xs:restriction></xs:simpleType>
  <xs:simpleType name="格式名称值">
    <xs:restriction base="xs:string">
      <xs:enumeration value="PDF"/><xs:enumeration value="OFD"/><xs:enumeration value="XML"/><xs:enumeration value="JPEG"/>
      <xs:enumeration value="PNG"/><xs:enumeration value="TIFF"/><xs:enumeration value="TXT"/><xs:enumeration value="CSV"/>
      <xs:enumeration value="DOCX"/><xs:enumeration value="XLSX"/><xs:enumeration value="ZIP"/><xs:enumeration value="其他"/>
    </xs:restriction>
  </xs:simpleType>
  <xs:simpleType name="媒体类型值"><xs:restriction base="xs:string"><xs:pattern value="[a-z]+/[a-z0-9.+-]+"/></xs:restriction></xs:simpleType>
  <xs:simpleType name="文件名值"><xs:restriction base="xs:string"><xs:minLength value="1"/><xs:maxLength value="255"/><xs:pattern value="[^/\\\\:*?&quot;&lt;&gt;|]+"/></xs:restriction></xs:simpleType>
  <xs:simpleType name="摘要算法"><xs:restriction base="xs:string"><xs:enumeration value="SM3"/><xs:enumeration value="SHA-256"/></xs:restriction></xs:simpleType>
  <xs:simpleType name="证书类型"><xs:restriction base="xs:string"><xs:enumeration value="X.509"/><xs:enumeration value="SM2公钥"/></xs:restriction></xs:simpleType>
  <xs:simpleType name="证书值"><xs:restriction base="xs:string"><xs:pattern value="[0-9a-fA-F]{130}|[A-Za-z0-9+/=\\s]{64,}"/></xs:restriction></xs:simpleType>
  <xs:simpleType name="算法标识"><xs:restriction base="xs:string"><xs:pattern value="[0-9]+(\\.[0-9]+)+"/></xs:restriction></xs:simpleType>
</xs:schema>
`;

export interface SchemaError {
  /** maxLength/minLength → length (GD-1-2), enumeration → range (GD-1-4), missing/unexpected → structure (GD-2-3), other → type (GD-1-3). */
  kind: 'length' | 'type' | 'range' | 'structure';
  line: number | null;
  message: string;
}

/** Validates metadata.xml against METADATA_XSD with libxml2 (xmllint-wasm, an independent reader). */
export async function validateMetadata(xml: string): Promise<{ valid: boolean; errors: SchemaError[] }> {
  const result = await validateXML({
    xml: [{ fileName: 'metadata.xml', contents: xml }],
    schema: [{ fileName: 'metadata.xsd', contents: METADATA_XSD }],
  });
  const errors = result.errors.map((e): SchemaError => {
    const message = e.message.replace(/^Schemas validity error : /, '').replace(/\{urn:zhengwu:archive:da-t-46-2009\}/g, '');
    let kind: SchemaError['kind'] = 'type';
    if (/facet '(maxLength|minLength|length)'/.test(message)) kind = 'length';
    else if (/facet 'enumeration'|fixed value constraint|facet '(minInclusive|maxInclusive)'/.test(message)) kind = 'range';
    else if (/Missing child element|is not expected|attribute .* is required|is not allowed/.test(message)) kind = 'structure';
    return { kind, line: e.loc?.lineNumber ?? null, message };
  });
  return { valid: result.valid, errors };
}
