import { STANDARD_FIELDS } from './user-fields.js';
import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiNoContentResponse, ApiOperation, ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMinSize, IsArray, IsIn, IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { AdminOnly, CurrentPrincipal, type Principal } from '../auth/principal.js';
import { ApiErrors, ApiItems } from '../http/api-docs.js';
import { AlreadyExistsError, NotFoundError, ValidationError } from '../http/domain-errors.js';
import { validateInput } from '../http/validate-input.js';
import { CUSTOM_FIELD_TYPES, type CustomFieldDefinition, type CustomFieldType } from './custom-field-types.js';
import { CustomFieldsRepository } from './custom-fields.repository.js';
import { CustomFieldBody, ListedCustomFieldBody, StandardFieldBody } from './directory.schemas.js';
import { CUSTOM_KEY } from './user-fields.js';

class CreateFieldDto {
  @ApiProperty({ pattern: CUSTOM_KEY.source, description: 'Mapped as custom.<key>.', example: 'costCenter' })
  @IsString()
  @Matches(CUSTOM_KEY, { message: 'key must start with a letter and hold only letters, digits and _ (at most 63)' })
  key!: string;

  @ApiPropertyOptional({ minLength: 1, maxLength: 200, description: 'The key when absent.', example: 'Cost center' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  label?: string;

  @ApiProperty({ enum: CUSTOM_FIELD_TYPES })
  @IsIn([...CUSTOM_FIELD_TYPES], { message: `type must be one of ${CUSTOM_FIELD_TYPES.join(', ')}` })
  type!: CustomFieldType;

  @ApiPropertyOptional({ type: [String], minItems: 1, description: 'enum (only): the allowed values.' })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @IsString({ each: true })
  @MaxLength(200, { each: true })
  values?: string[];
}

/** Custom fields: defined per workspace, mapped as `custom.<key>`, typed when a file is read. */
@Controller('v1/fields')
export class CustomFieldsController {
  constructor(private readonly fields: CustomFieldsRepository) {}

  @Get()
  @ApiOperation({ summary: "The workspace's custom fields" })
  @ApiItems(ListedCustomFieldBody, 'The custom fields.')
  async list(@CurrentPrincipal() principal: Principal): Promise<{ items: CustomFieldDefinition[] }> {
    return { items: await this.fields.list(principal.workspaceId) };
  }

  /** The standard fields a column can map to, with an example value each (for mapping editors). */
  @Get('standard')
  @ApiOperation({ summary: 'The standard fields a column can map to, with an example value each' })
  @ApiItems(StandardFieldBody, 'The standard fields.')
  standard(): { items: { name: string; example: string }[] } {
    return { items: STANDARD_FIELDS.map(({ name, example }) => ({ name, example })) };
  }

  @Post()
  @AdminOnly()
  @ApiOperation({ summary: 'Define a custom field' })
  @ApiBody({ type: CreateFieldDto })
  @ApiCreatedResponse({ type: CustomFieldBody , description: 'The field.' })
  @ApiErrors({ 400: 'the key, label, type or values are not valid (values are for an enum only, and an enum needs them).', 409: 'already_exists: a custom field with this key exists.' })
  async create(@CurrentPrincipal() principal: Principal, @Body() body: unknown): Promise<CustomFieldDefinition> {
    const dto = validateInput(CreateFieldDto, body, 'body');
    if (dto.type === 'enum' && !dto.values?.length) {
      throw new ValidationError('an enum field needs its values', [{ field: 'values', message: 'list the allowed values, e.g. ["full-time", "part-time"]' }]);
    }
    if (dto.type !== 'enum' && dto.values) {
      throw new ValidationError('only an enum field has values', [{ field: 'values', message: `remove it, or use type "enum"` }]);
    }
    const field: CustomFieldDefinition = { key: dto.key, label: dto.label ?? dto.key, type: dto.type, values: dto.values ?? null };
    if (!(await this.fields.create(principal.workspaceId, field))) {
      throw new AlreadyExistsError(`A custom field "${dto.key}" exists already: delete it first to change its type.`);
    }
    return field;
  }

  @Delete(':key')
  @AdminOnly()
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a custom field' })
  @ApiNoContentResponse({ description: 'Deleted.' })
  @ApiErrors({ 404: 'no custom field with this key.' })
  async delete(@CurrentPrincipal() principal: Principal, @Param('key') key: string): Promise<void> {
    if (!(await this.fields.delete(principal.workspaceId, key))) throw new NotFoundError(`No custom field "${key}".`);
  }
}
