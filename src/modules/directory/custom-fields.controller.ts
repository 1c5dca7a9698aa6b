import { STANDARD_FIELDS } from './user-fields.js';
import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ArrayMinSize, IsArray, IsIn, IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { AdminOnly, CurrentPrincipal, type Principal } from '../auth/principal.js';
import { AlreadyExistsError, NotFoundError, ValidationError } from '../http/domain-errors.js';
import { validateInput } from '../http/validate-input.js';
import { CUSTOM_FIELD_TYPES, type CustomFieldDefinition, type CustomFieldType } from './custom-field-types.js';
import { CustomFieldsRepository } from './custom-fields.repository.js';
import { CUSTOM_KEY } from './user-fields.js';

class CreateFieldDto {
  @IsString()
  @Matches(CUSTOM_KEY, { message: 'key must start with a letter and hold only letters, digits and _ (at most 63)' })
  key!: string;

  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  label?: string;

  @IsIn([...CUSTOM_FIELD_TYPES], { message: `type must be one of ${CUSTOM_FIELD_TYPES.join(', ')}` })
  type!: CustomFieldType;

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
  async list(@CurrentPrincipal() principal: Principal): Promise<{ items: CustomFieldDefinition[] }> {
    return { items: await this.fields.list(principal.workspaceId) };
  }

  /** The standard fields a column can map to, with an example value each (for mapping editors). */
  @Get('standard')
  standard(): { items: { name: string; example: string }[] } {
    return { items: STANDARD_FIELDS.map(({ name, example }) => ({ name, example })) };
  }

  @Post()
  @AdminOnly()
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
  async delete(@CurrentPrincipal() principal: Principal, @Param('key') key: string): Promise<void> {
    if (!(await this.fields.delete(principal.workspaceId, key))) throw new NotFoundError(`No custom field "${key}".`);
  }
}
