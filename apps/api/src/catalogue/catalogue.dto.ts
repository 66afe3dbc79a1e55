import { ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';

export const UPDATE_CYCLES = ['实时', '每日', '每周', '每月', '每季度', '每年', '不定期'] as const;
export const SHARE_LEVELS = ['无条件共享', '有条件共享', '不予共享'] as const;

/** What the owner unit keeps of one catalogue entry; the code, owner and 密级 are the catalogue's, not the unit's. */
export class UpdateEntryDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MinLength(2, { message: '名称至少 2 个字' })
  @MaxLength(100, { message: '名称不能超过 100 个字' })
  name?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MinLength(10, { message: '说明至少 10 个字，写明内容、范围和组织方式' })
  @MaxLength(2000, { message: '说明不能超过 2000 个字' })
  description?: string;

  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @IsArray({ message: '格式须为列表' })
  @ArrayMinSize(1, { message: '至少一种提供格式' })
  @ArrayMaxSize(10, { message: '格式最多 10 种' })
  @Matches(/^[A-Za-z0-9 .+-]{2,30}$/, { each: true, message: '格式名称只能含字母、数字、空格和 .+-，如 Shapefile、GeoPackage' })
  formats?: string[];

  @ApiPropertyOptional({ enum: UPDATE_CYCLES })
  @IsOptional()
  @IsIn(UPDATE_CYCLES, { message: `更新周期须为：${UPDATE_CYCLES.join('、')}` })
  updateCycle?: string;

  @ApiPropertyOptional({ enum: SHARE_LEVELS })
  @IsOptional()
  @IsIn(SHARE_LEVELS, { message: `共享属性须为：${SHARE_LEVELS.join('、')}` })
  shareLevel?: string;
}
