import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsEmail,
  IsArray,
  IsBoolean,
  IsIn,
  IsObject,
  IsOptional,
  IsString,
  ValidateBy,
  ValidateNested,
} from 'class-validator';
import { ValidationError } from '../../http/domain-errors.js';
import { validateInput } from '../../http/validate-input.js';
import type { CustomFieldDefinition } from '../../directory/custom-field-types.js';
import { ENCODINGS, type Encoding } from '../../files/to-utf8.js';
import { configProblems, DELIMITERS, MISSING, MODES, normaliseConfig, SCOPES, undefinedCustomFields, type GateLimit, type ImportConfig, type KeyField } from '../import-config.js';

export class ParsingDto {
  @IsOptional()
  @IsIn([...DELIMITERS], { message: 'delimiter must be one of "," ";" "\\t" "|" (or leave it out to detect it)' })
  delimiter?: string;

  @IsOptional()
  @IsIn([...ENCODINGS], { message: `encoding must be one of ${ENCODINGS.join(', ')}` })
  encoding?: Encoding;

  @IsOptional()
  @IsBoolean()
  header?: boolean;

  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @IsString({ each: true })
  columns?: string[];
}

const LIMIT_MESSAGE = 'must be a number of people (like 50) or a percentage of the active people (like "10%")';

/** A count (0 or more) or a percentage string ("10%", "2.5%"). */
function IsGateLimit(): PropertyDecorator {
  return ValidateBy({
    name: 'isGateLimit',
    validator: {
      validate: (value: unknown) => (typeof value === 'number' && Number.isInteger(value) && value >= 0) || (typeof value === 'string' && /^\d+(\.\d+)?%$/.test(value) && parseFloat(value) <= 100),
      defaultMessage: (args) => `approval.${args?.property} ${LIMIT_MESSAGE}`,
    },
  });
}

export class ApprovalDto {
  @IsOptional() @IsGateLimit()
  maxCreates?: GateLimit;

  @IsOptional() @IsGateLimit()
  maxUpdates?: GateLimit;

  @IsOptional() @IsGateLimit()
  maxDeactivations?: GateLimit;

  @IsOptional() @IsGateLimit()
  maxDeletions?: GateLimit;

  @IsOptional() @IsBoolean()
  emptyColumns?: boolean;

  @IsOptional() @IsBoolean()
  schemaDrift?: boolean;

  @IsOptional() @IsBoolean()
  fourEyes?: boolean;
}

export class NotifyDto {
  @IsOptional() @IsArray() @ArrayMaxSize(50)
  @IsEmail({}, { each: true, message: 'notify.email must be a list of e-mail addresses' })
  email?: string[];
}

export class InviteDto {
  @IsOptional() @IsBoolean()
  newUsers?: boolean;

  @IsOptional() @IsBoolean()
  pendingUsers?: boolean;
}

export class ImportConfigDto {
  @IsOptional()
  @IsObject()
  mapping?: Record<string, string>;

  @IsOptional()
  @IsIn(['externalId', 'email'], { message: 'key must be "externalId" or "email"' })
  key?: KeyField;

  @IsOptional()
  @IsIn([...MODES], { message: 'mode must be "delta" (only the people in the file change) or "full" (the file is the whole directory)' })
  mode?: ImportConfig['mode'];

  @IsOptional()
  @IsIn([...MISSING], { message: 'missing must be "deactivate", "delete" or "ignore"' })
  missing?: ImportConfig['missing'];

  @IsOptional()
  @IsIn([...SCOPES], { message: 'scope must be "all" or "imported"' })
  scope?: ImportConfig['scope'];

  @IsOptional()
  @IsBoolean()
  createMissing?: boolean;

  @IsOptional()
  @ValidateNested()
  @Type(() => ParsingDto)
  parsing?: ParsingDto;

  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => ApprovalDto)
  approval?: ApprovalDto;

  @IsOptional() @IsObject() @ValidateNested() @Type(() => NotifyDto)
  notify?: NotifyDto;

  @IsOptional() @IsObject() @ValidateNested() @Type(() => InviteDto)
  invite?: InviteDto;

  @IsOptional() @IsBoolean()
  recoveryCodes?: boolean;
}

/** Parses a config from a request (a JSON string or an object) into its normalised form. */
export function parseImportConfig(input: unknown): ImportConfig {
  let value = input ?? {};
  if (typeof value === 'string') {
    try {
      value = value.trim() ? JSON.parse(value) : {};
    } catch (error) {
      throw new ValidationError(`config is not valid JSON: ${(error as Error).message}`, [
        { field: 'config', message: 'not valid JSON' },
      ]);
    }
  }
  const dto = validateInput(ImportConfigDto, value, 'config');
  // The mapping as sent: class-transformer's copy drops a key named "__proto__", a column name like any other.
  if (dto.mapping) dto.mapping = Object.fromEntries(Object.entries((value as { mapping: Record<string, string> }).mapping));
  if (dto.mapping && Object.values(dto.mapping).some((target) => typeof target !== 'string')) {
    throw new ValidationError('config is invalid: mapping values must be field names', [
      { field: 'mapping', message: 'each value must be a field name such as "email"' },
    ]);
  }
  const config = normaliseConfig({ ...dto, parsing: dto.parsing ? { ...dto.parsing } : undefined, approval: dto.approval ? { ...dto.approval } : undefined, notify: dto.notify ? { ...dto.notify } : undefined, invite: dto.invite ? { ...dto.invite } : undefined });
  const problems = configProblems(config);
  if (problems.length) {
    throw new ValidationError(`config is invalid: ${problems.map((p) => `${p.field}: ${p.message}`).join('; ')}`, problems);
  }
  return config;
}

/** A config from a request, checked against the workspace's custom fields too. */
export function parseWorkspaceConfig(input: unknown, customFields: readonly CustomFieldDefinition[]): ImportConfig {
  const config = parseImportConfig(input);
  const missing = undefinedCustomFields(config, customFields);
  if (missing.length) {
    throw new ValidationError(
      `config is invalid: ${missing.join(', ')} ${missing.length > 1 ? 'are' : 'is'} not defined in this workspace`,
      missing.map((field) => ({ field: 'mapping', message: `${field} is not a custom field of this workspace: define it with POST /v1/fields first` })),
    );
  }
  return config;
}
