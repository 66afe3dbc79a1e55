import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsObject, IsOptional, IsString, IsUUID, Matches, MaxLength, ValidateNested } from 'class-validator';
import { PageLimit, PageOffset } from '../platform/paging';

export class ListAuditQuery {
  @ApiPropertyOptional()
  @IsOptional()
  @IsUUID('all', { message: 'userId 须为 UUID' })
  userId?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(100)
  action?: string;

  @PageLimit(500, 100)
  limit = 100;

  @PageOffset()
  offset = 0;
}

export class ListCheckpointsQuery {
  @PageLimit(200, 50)
  limit = 50;

  @PageOffset()
  offset = 0;
}

class ExportedSignature {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(50)
  algorithm?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(50)
  userId?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(50)
  encoding?: string;

  @ApiProperty({ description: 'SM2 签名（DER，十六进制）' })
  @IsString({ message: 'signature.value 须为十六进制的 SM2 签名' })
  @Matches(/^[0-9a-fA-F]{16,400}$/, { message: 'signature.value 须为十六进制的 SM2 签名' })
  value!: string;
}

class ExportedSigner {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(500)
  subject?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(500)
  algorithm?: string;

  @ApiProperty({ description: 'SM2 公钥：04 开头的 130 位十六进制' })
  @IsString({ message: 'signer.publicKey 须为 04 开头的 130 位十六进制 SM2 公钥' })
  @Matches(/^04[0-9a-fA-F]{128}$/, { message: 'signer.publicKey 须为 04 开头的 130 位十六进制 SM2 公钥' })
  publicKey!: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  publicKeyPem?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(100)
  keyId?: string;
}

/** The file GET /api/audit/checkpoints/:id/export gave, as the auditor kept it. */
export class VerifyCheckpointDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(100)
  format?: string;

  @ApiPropertyOptional({ description: '检查点字段（仅供阅读；核对以 signedText 为准）' })
  @IsOptional()
  @IsObject()
  checkpoint?: Record<string, unknown>;

  @ApiProperty({ description: '被签名的检查点文本，原样' })
  @IsString({ message: 'signedText 须为导出文件中的检查点文本' })
  @MaxLength(1000, { message: 'signedText 不能超过 1000 个字符' })
  signedText!: string;

  @ApiProperty({ type: ExportedSignature })
  @IsObject({ message: 'signature 须为导出文件中的签名对象' })
  @ValidateNested()
  @Type(() => ExportedSignature)
  signature!: ExportedSignature;

  @ApiProperty({ type: ExportedSigner })
  @IsObject({ message: 'signer 须为导出文件中的签名者对象' })
  @ValidateNested()
  @Type(() => ExportedSigner)
  signer!: ExportedSigner;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  howToVerify?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(100)
  exportedAt?: string;
}
