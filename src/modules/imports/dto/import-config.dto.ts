import { ApiPropertyOptional } from '@nestjs/swagger';
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
import { GATE_LIMIT } from '../imports.schemas.js';
import { configProblems, DELIMITERS, KEY_FIELDS, MISSING, MODES, normaliseConfig, SCOPES, undefinedCustomFields, type GateLimit, type ImportConfig, type KeyField } from '../import-config.js';

export class ParsingDto {
  @ApiPropertyOptional({ enum: DELIMITERS, description: 'Detected from the file when absent.' })
  @IsOptional()
  @IsIn([...DELIMITERS], { message: 'delimiter must be one of "," ";" "\\t" "|" (or leave it out to detect it)' })
  delimiter?: string;

  @ApiPropertyOptional({ enum: ENCODINGS, default: 'utf-8', description: 'auto: a BOM, else UTF-8 if every byte is, else windows-1252.' })
  @IsOptional()
  @IsIn([...ENCODINGS], { message: `encoding must be one of ${ENCODINGS.join(', ')}` })
  encoding?: Encoding;

  @ApiPropertyOptional({ default: true, description: 'false: the file has no header row; name the columns in columns.' })
  @IsOptional()
  @IsBoolean()
  header?: boolean;

  @ApiPropertyOptional({ type: [String], minItems: 1 })
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
  @ApiPropertyOptional(GATE_LIMIT)
  @IsOptional() @IsGateLimit()
  maxCreates?: GateLimit;

  @ApiPropertyOptional(GATE_LIMIT)
  @IsOptional() @IsGateLimit()
  maxUpdates?: GateLimit;

  @ApiPropertyOptional(GATE_LIMIT)
  @IsOptional() @IsGateLimit()
  maxDeactivations?: GateLimit;

  @ApiPropertyOptional(GATE_LIMIT)
  @IsOptional() @IsGateLimit()
  maxDeletions?: GateLimit;

  @ApiPropertyOptional({ default: true })
  @IsOptional() @IsBoolean()
  emptyColumns?: boolean;

  @ApiPropertyOptional({ default: true })
  @IsOptional() @IsBoolean()
  schemaDrift?: boolean;

  @ApiPropertyOptional({ default: false })
  @IsOptional() @IsBoolean()
  fourEyes?: boolean;
}

export class NotifyDto {
  @ApiPropertyOptional({ type: 'array', items: { type: 'string', format: 'email' }, maxItems: 50, description: 'Who gets a report when the import completes, fails or waits for approval.' })
  @IsOptional() @IsArray() @ArrayMaxSize(50)
  @IsEmail({}, { each: true, message: 'notify.email must be a list of e-mail addresses' })
  email?: string[];
}

export class InviteDto {
  @ApiPropertyOptional({ default: false, description: 'Invite the people the import creates.' })
  @IsOptional() @IsBoolean()
  newUsers?: boolean;

  @ApiPropertyOptional({ default: false, description: 'Invite people in the file who are still pending.' })
  @IsOptional() @IsBoolean()
  pendingUsers?: boolean;
}

export class ImportConfigDto {
  @ApiPropertyOptional({ type: 'object', additionalProperties: { type: 'string' }, description: 'CSV column → field (externalId, email, firstName, …, custom.<key>); headers are mapped by their common names when absent.', example: { 'Employee ID': 'externalId', 'E-mail': 'email' } })
  @IsOptional()
  @IsObject()
  mapping?: Record<string, string>;

  @ApiPropertyOptional({ enum: KEY_FIELDS, default: 'externalId' })
  @IsOptional()
  @IsIn([...KEY_FIELDS], { message: `key must be ${KEY_FIELDS.map((key) => `"${key}"`).join(' or ')}` })
  key?: KeyField;

  @ApiPropertyOptional({ enum: MODES, default: 'delta', description: 'delta: only the people in the file change; full: the file is the whole directory.' })
  @IsOptional()
  @IsIn([...MODES], { message: 'mode must be "delta" (only the people in the file change) or "full" (the file is the whole directory)' })
  mode?: ImportConfig['mode'];

  @ApiPropertyOptional({ enum: MISSING, default: 'deactivate', description: 'full mode: what happens to people absent from the file.' })
  @IsOptional()
  @IsIn([...MISSING], { message: 'missing must be "deactivate", "delete" or "ignore"' })
  missing?: ImportConfig['missing'];

  @ApiPropertyOptional({ enum: SCOPES, default: 'all', description: 'Which absent people full mode touches.' })
  @IsOptional()
  @IsIn([...SCOPES], { message: 'scope must be "all" or "imported"' })
  scope?: ImportConfig['scope'];

  @ApiPropertyOptional({ default: true, description: 'false: people the directory does not have are reported, not created.' })
  @IsOptional()
  @IsBoolean()
  createMissing?: boolean;

  @ApiPropertyOptional({ type: ParsingDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => ParsingDto)
  parsing?: ParsingDto;

  @ApiPropertyOptional({ type: ApprovalDto, description: 'Gates: over a limit, the import waits for approval.' })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => ApprovalDto)
  approval?: ApprovalDto;

  @ApiPropertyOptional({ type: NotifyDto })
  @IsOptional() @IsObject() @ValidateNested() @Type(() => NotifyDto)
  notify?: NotifyDto;

  @ApiPropertyOptional({ type: InviteDto })
  @IsOptional() @IsObject() @ValidateNested() @Type(() => InviteDto)
  invite?: InviteDto;

  @ApiPropertyOptional({ default: false, description: 'A one-time code for each created person without an e-mail, downloaded once.' })
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
