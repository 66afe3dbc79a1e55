import { ApiProperty } from '@nestjs/swagger';
import { PARAGRAPH_LEVELS, type ParagraphLevel } from '@zhengwu/contracts';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsInt,
  IsObject,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';

export class ParagraphDto {
  @ApiProperty({ enum: PARAGRAPH_LEVELS, description: '段落层次：text 正文段落，h1 一、，h2 （一），h3 1.，h4 （1），attachment 附件说明' })
  @IsIn(PARAGRAPH_LEVELS, { message: `段落层次须为 ${PARAGRAPH_LEVELS.join('、')} 之一` })
  level!: ParagraphLevel;

  @ApiProperty({ description: '段落文字，不含序号（序号自动编排）' })
  @IsString({ message: '段落须为文字' })
  @MaxLength(20_000, { message: '一个段落不能超过 2 万字' })
  // Breaks and the private-use level marks structure the stored body: a paragraph may not carry them.
  @Matches(/^[^\r\n\uE000-\uE0FF]*$/, { message: '段落中不能含换行（请分为多个段落）' })
  text!: string;
}

export class SaveRevisionDto {
  @ApiProperty({ description: '在第几稿上修改（取自打开编辑器时的最新稿号）；期间他人已保存则答 409' })
  @Type(() => Number)
  @IsInt({ message: 'base 须为稿号' })
  @Min(1, { message: 'base 须为稿号' })
  @Max(1_000_000, { message: 'base 须为稿号' })
  base!: number;

  @ApiProperty({ type: [ParagraphDto], description: '正文各段' })
  @IsArray({ message: '正文须为段落列表' })
  @ArrayMinSize(1, { message: '请填写正文' })
  @ArrayMaxSize(5000, { message: '正文不能超过 5000 段' })
  @IsObject({ each: true, message: '每个段落须为 {level, text}' })
  @ValidateNested({ each: true })
  @Type(() => ParagraphDto)
  paragraphs!: ParagraphDto[];
}

export class DiffQuery {
  @ApiProperty({ description: '较早的稿号' })
  @Type(() => Number)
  @IsInt({ message: 'from 须为稿号' })
  @Min(1, { message: 'from 须为稿号' })
  @Max(1_000_000, { message: 'from 须为稿号' })
  from!: number;

  @ApiProperty({ description: '较晚的稿号' })
  @Type(() => Number)
  @IsInt({ message: 'to 须为稿号' })
  @Min(1, { message: 'to 须为稿号' })
  @Max(1_000_000, { message: 'to 须为稿号' })
  to!: number;
}
