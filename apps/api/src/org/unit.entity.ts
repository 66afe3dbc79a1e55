import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { UnitKind } from '@zhengwu/contracts';

@Entity('units')
export class UnitEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column('text')
  code!: string;

  @Column('text')
  name!: string;

  @Column('text', { name: 'short_name', nullable: true })
  shortName!: string | null;

  @Column('text')
  kind!: UnitKind;

  @Column('uuid', { name: 'parent_id', nullable: true })
  parentId!: string | null;

  /** Materialised path of ids ('/a/b/'): a subtree is one indexed prefix match. */
  @Column('text')
  path!: string;

  @Column('int')
  depth!: number;

  /** 行政区划代码 */
  @Column('char', { name: 'division_code', length: 6, nullable: true })
  divisionCode!: string | null;

  /** 机关代字, e.g. 国土资发 */
  @Column('text', { name: 'organ_code', nullable: true })
  organCode!: string | null;

  @Column('int')
  sort!: number;
}
