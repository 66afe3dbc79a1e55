/**
 * Who sees a document (the rule of DocumentsService.visibleDocument, shared with search): the drafting unit and the
 * units above it (its path starts with the person's unit path), the 会签 units, and every unit it was sent to.
 * `pathParam` binds `<escaped unit path>%`, `unitParam` the person's unit id.
 */
export function documentScopeSql(aliases: { document: string; unitPath: string }, pathParam: string, unitParam: string): string {
  const d = aliases.document;
  return `(${aliases.unitPath} LIKE ${pathParam} OR ${unitParam}::uuid = ANY(${d}.countersign_units)
              OR EXISTS (SELECT 1 FROM document_receipts r WHERE r.document_id = ${d}.id AND r.unit_id = ${unitParam}::uuid))`;
}
