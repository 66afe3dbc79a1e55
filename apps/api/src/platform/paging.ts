import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

/**
 * Paging bounds shared by every list. Without an upper bound `offset=1e21` passed `IsInt` (it is an
 * integer to JavaScript) and reached SQL as `OFFSET 1e+21` — a 500. Nobody pages past 100 000 rows in
 * a browser; programs that need everything filter by date or id instead.
 */
export const MAX_OFFSET = 100_000;
export const MAX_PAGE = 10_000;

function integerField(field: string, min: number, max: number, extra: { default?: number; description?: string }): PropertyDecorator {
  const range = `须为 ${min} 到 ${max} 的整数`;
  return applyDecorators(
    ApiPropertyOptional({ type: Number, minimum: min, maximum: max, ...extra }),
    IsOptional(),
    Type(() => Number),
    IsInt({ message: `${field} ${range}` }),
    Min(min, { message: `${field} ${range}` }),
    Max(max, { message: `${field} ${range}` }),
  );
}

/** `offset`: rows to skip, 0 … MAX_OFFSET. */
export function PageOffset(): PropertyDecorator {
  return integerField('offset', 0, MAX_OFFSET, { default: 0 });
}

/** `limit`: rows per answer, 1 … max (each list keeps its own maximum). */
export function PageLimit(max: number, defaultValue: number, field = 'limit'): PropertyDecorator {
  return integerField(field, 1, max, { default: defaultValue });
}

/** `page`: a 1-based page number, 1 … MAX_PAGE. */
export function PageNumber(field = 'page'): PropertyDecorator {
  return integerField(field, 1, MAX_PAGE, { default: 1, description: '页码，从 1 开始' });
}
