import { ValidationError, ValidationPipe } from '@nestjs/common';
import { AppError } from './errors';

interface FieldError {
  field: string;
  message: string;
}

function flatten(errors: ValidationError[], prefix = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = prefix ? `${prefix}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => ({ field, message }));
    return [...own, ...flatten(error.children ?? [], field)];
  });
}

/** Validation errors name the field, so a form can show the message next to it. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    exceptionFactory: (errors) => {
      const details = flatten(errors);
      const first = details[0];
      const message = first ? `字段 ${first.field} 不正确：${first.message}` : '提交的数据不正确';
      return new AppError('VALIDATION_FAILED', message, 400, details);
    },
  });
}
