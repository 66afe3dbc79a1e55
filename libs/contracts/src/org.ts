export const UNIT_KINDS = [
  'ministry',
  'office',
  'department',
  'center',
  'affiliated',
  'inspection',
  'body',
  'province',
  'city',
  'county',
] as const;

export type UnitKind = (typeof UNIT_KINDS)[number];

export const UNIT_KIND_LABELS: Record<UnitKind, string> = {
  ministry: '部',
  office: '办事机构',
  department: '司局',
  center: '事业单位',
  affiliated: '直属单位',
  inspection: '派驻督察局',
  body: '议事协调机构',
  province: '省级',
  city: '市级',
  county: '县级',
};

export interface UnitDto {
  id: string;
  code: string;
  name: string;
  shortName: string | null;
  kind: UnitKind;
  parentId: string | null;
  divisionCode: string | null;
  organCode: string | null;
}

export interface UnitTreeNode extends UnitDto {
  children: UnitTreeNode[];
}

export interface UserDto {
  id: string;
  username: string;
  displayName: string;
  unitId: string;
  unitName?: string;
  title: string | null;
  roles: string[];
  isActive: boolean;
  lockedUntil: string | null;
  /** TOTP second factor enrolled (the 安全管理员 may reset it). */
  totpEnrolled?: boolean;
}
