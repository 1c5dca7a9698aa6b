import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError as ClassValidationError } from 'class-validator';
import { ValidationError, type FieldProblem } from './domain-errors.js';

/** Turns untrusted input into a checked DTO, or throws a ValidationError naming each bad field. */
export function validateInput<T extends object>(dto: new () => T, input: unknown, what: string): T {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new ValidationError(`${what} must be a JSON object`);
  }
  const instance = plainToInstance(dto, input, { enableImplicitConversion: false });
  const errors = validateSync(instance, { whitelist: true, forbidNonWhitelisted: true });
  if (errors.length) {
    const fields = flatten(errors, '');
    throw new ValidationError(`${what} is invalid: ${fields.map((f) => `${f.field}: ${f.message}`).join('; ')}`, fields);
  }
  return instance;
}

function flatten(errors: ClassValidationError[], prefix: string): FieldProblem[] {
  return errors.flatMap((error) => {
    const field = prefix ? `${prefix}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => ({ field, message }));
    return [...own, ...flatten(error.children ?? [], field)];
  });
}
