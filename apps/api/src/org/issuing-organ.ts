/** A 司局 or an office (办公厅, 信息办) issues under the ministry's name; a province, bureau or centre under its own. */
export function issuesInMinistryName(unitKind: string): boolean {
  return unitKind === 'department' || unitKind === 'office';
}

/** The issuing organ as printed: 国土资源部规划司 for a 司局, the unit's own name otherwise. */
export function issuingOrganName(rootName: string, unitName: string, unitKind: string): string {
  return issuesInMinistryName(unitKind) ? `${rootName}${unitName}` : unitName;
}
