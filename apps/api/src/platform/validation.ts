import { ValidationError, ValidationPipe } from '@nestjs/common';
import { ValidateBy, type ValidationOptions } from 'class-validator';
import { AppError } from './errors';

interface FieldError {
  field: string;
  message: string;
}

function flatten(errors: ValidationError[], prefix = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = prefix ? `${prefix}.${error.property}` : error.property;
    const own = orderedConstraints(error).map((message) => ({ field, message }));
    return [...own, ...flatten(error.children ?? [], field)];
  });
}

const MISSING = ['isDefined', 'isNotEmpty', 'minLength', 'arrayNotEmpty', 'arrayMinSize'];

/**
 * A field's messages, the one a person should read first leading: "please fill in" for an empty
 * value, else the declaration order (class-validator lists the constraints bottom-up).
 */
function orderedConstraints(error: ValidationError): string[] {
  const entries = Object.entries(error.constraints ?? {}).reverse();
  const empty = error.value === undefined || error.value === null || error.value === '';
  if (empty) entries.sort(([a], [b]) => Number(MISSING.includes(b)) - Number(MISSING.includes(a)));
  return entries.map(([, message]) => message);
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

/** Decimal places of a number, also when JavaScript writes it in exponent form (1e-7 has 7, 1.5e-7 has 8, 1e21 none). */
export function decimalPlaces(value: number): number {
  const [mantissa, exponent = '0'] = value.toString().toLowerCase().split('e');
  const fraction = mantissa.split('.')[1]?.length ?? 0;
  return Math.max(0, fraction - Number(exponent));
}

/**
 * A finite number with at most `places` decimals. Instead of class-validator's
 * `IsNumber({ maxDecimalPlaces })`, which throws a TypeError — a 500 — on a number JavaScript writes
 * in exponent form such as 1e-7.
 */
export function IsDecimal(places: number, options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isDecimal',
      constraints: [places],
      validator: {
        validate: (value: unknown) => typeof value === 'number' && Number.isFinite(value) && decimalPlaces(value) <= places,
        defaultMessage: () => `须为数字，最多 ${places} 位小数`,
      },
    },
    options,
  );
}
