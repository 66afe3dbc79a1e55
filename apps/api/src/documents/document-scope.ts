/** 信息办 reviews every informatization document issued in the ministry's name (seed （八）). */
const IT_OFFICE = 'MLR-XXB';

/**
 * Who sees a document (the rule of DocumentsService.visibleDocument, shared with search): the drafting unit and the
 * units above it (its path starts with the person's unit path), the 会签 units, every unit it was sent to, and for a
 * 信息化相关 document 信息办 and (given `userParam`) the leading group's members who vote or voted on it.
 * `pathParam` binds `<escaped unit path>%`, `unitParam` the person's unit id, `userParam` their user id.
 */
export function documentScopeSql(
  aliases: { document: string; unitPath: string },
  pathParam: string,
  unitParam: string,
  userParam?: string,
): string {
  const d = aliases.document;
  const voters = userParam
    ? ` OR (${d}.informatization AND (EXISTS (SELECT 1 FROM tasks vt WHERE vt.instance_id = ${d}.instance_id AND vt.activity_id = 'itVote'
                                                AND vt.assignee = ${userParam}::text)
                                   OR EXISTS (SELECT 1 FROM document_it_reviews vr WHERE vr.document_id = ${d}.id AND vr.user_id = ${userParam}::uuid)))`
    : '';
  return `(${aliases.unitPath} LIKE ${pathParam} OR ${unitParam}::uuid = ANY(${d}.countersign_units)
              OR EXISTS (SELECT 1 FROM document_receipts r WHERE r.document_id = ${d}.id AND r.unit_id = ${unitParam}::uuid)
              OR (${d}.informatization AND ${unitParam}::uuid = (SELECT xb.id FROM units xb WHERE xb.code = '${IT_OFFICE}'))${voters})`;
}

/**
 * The same rule as documentScopeSql without the voters (search's form), written so indexes answer every arm: the
 * drafting units as a bound array (documents_unit), the 会签 units by containment (documents_countersign, GIN), the
 * receipts' documents (document_receipts_unit), the 信息化相关 documents (documents_informatization, partial). Search
 * reads a narrow scope's documents through it and still applies documentScopeSql to every one. `subtreeParam` binds
 * the ids of the units whose path `pathParam` matches (identity/data-scope.ts subtreeUnitIds), `unitParam` as above.
 */
export function documentScopeIndexedSql(document: string, subtreeParam: string, unitParam: string): string {
  const d = document;
  return `(${d}.unit_id = ANY(${subtreeParam}::uuid[])
              OR ${d}.countersign_units @> ARRAY[${unitParam}::uuid]
              OR ${d}.id = ANY(ARRAY(SELECT r.document_id FROM document_receipts r WHERE r.unit_id = ${unitParam}::uuid))
              OR (${d}.informatization AND ${unitParam}::uuid = (SELECT xb.id FROM units xb WHERE xb.code = '${IT_OFFICE}')))`;
}
