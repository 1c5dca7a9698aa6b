import { ApiProperty } from '@nestjs/swagger';
import { DATE_TIME, NULLABLE_TEXT } from '../http/api-docs.js';
import { CUSTOM_FIELD_TYPES, type CustomFieldDefinition, type CustomFieldType } from './custom-field-types.js';
import { USER_STATUSES, type PersonRef, type UserDetail, type UserStatus, type UserView } from './users.repository.js';

/* What the directory API answers with, for the OpenAPI document; each class implements the type the code returns. */


export class UserBody implements UserView {
  @ApiProperty({ description: 'The internal id: a number, as text.', example: '1042' }) id!: string;
  @ApiProperty(NULLABLE_TEXT) externalId!: string | null;
  @ApiProperty(NULLABLE_TEXT) email!: string | null;
  @ApiProperty(NULLABLE_TEXT) userName!: string | null;
  @ApiProperty(NULLABLE_TEXT) firstName!: string | null;
  @ApiProperty(NULLABLE_TEXT) lastName!: string | null;
  @ApiProperty(NULLABLE_TEXT) displayName!: string | null;
  @ApiProperty(NULLABLE_TEXT) title!: string | null;
  @ApiProperty(NULLABLE_TEXT) department!: string | null;
  @ApiProperty(NULLABLE_TEXT) location!: string | null;
  @ApiProperty(NULLABLE_TEXT) language!: string | null;
  @ApiProperty({ ...NULLABLE_TEXT, description: 'E.164, like +4915123456789.' }) phone!: string | null;
  @ApiProperty({ enum: USER_STATUSES }) status!: UserStatus;
  @ApiProperty() tracked!: boolean;
  @ApiProperty(NULLABLE_TEXT) managerExternalId!: string | null;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'Custom field key → typed value.' }) custom!: Record<string, unknown>;
  @ApiProperty({ description: 'Not yet activated (POST /v1/users/{key}/activate).' }) pending!: boolean;
  @ApiProperty({ ...DATE_TIME, nullable: true }) activatedAt!: string | null;
  @ApiProperty({ ...DATE_TIME, nullable: true }) invitedAt!: string | null;
  @ApiProperty(DATE_TIME) createdAt!: string;
  @ApiProperty(DATE_TIME) updatedAt!: string;
}

export class PersonRefBody implements PersonRef {
  @ApiProperty(NULLABLE_TEXT) externalId!: string | null;
  @ApiProperty(NULLABLE_TEXT) email!: string | null;
  @ApiProperty(NULLABLE_TEXT) displayName!: string | null;
}

export class UserDetailBody extends UserBody implements UserDetail {
  @ApiProperty({ type: PersonRefBody, nullable: true }) manager!: PersonRef | null;
  @ApiProperty({ type: [PersonRefBody] }) directReports!: PersonRef[];
  @ApiProperty({ type: [String], description: "The groups' names." }) groups!: string[];
}

/** What an import did to a person. */
export class UserChangeBody {
  @ApiProperty({ format: 'uuid' }) importId!: string;
  @ApiProperty({ type: Number, nullable: true }) line!: number | null;
  @ApiProperty({ description: 'create, update, deactivate, delete; member_add or member_remove for a group.' }) op!: string;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'object', properties: { from: {}, to: {} } }, nullable: true, description: 'Each field, from → to.' })
  changes!: Record<string, { from: unknown; to: unknown }> | null;
  @ApiProperty({ ...NULLABLE_TEXT, description: 'The group (memberships).' }) group!: string | null;
  @ApiProperty(DATE_TIME) at!: string;
}

export class GroupBody {
  @ApiProperty() name!: string;
  @ApiProperty({ description: 'How many members it has.' }) members!: number;
  @ApiProperty(DATE_TIME) createdAt!: string;
}

export class CustomFieldBody implements CustomFieldDefinition {
  @ApiProperty({ example: 'costCenter' }) key!: string;
  @ApiProperty({ example: 'Cost center' }) label!: string;
  @ApiProperty({ enum: CUSTOM_FIELD_TYPES }) type!: CustomFieldType;
  @ApiProperty({ type: [String], nullable: true, description: 'The values an enum allows.' }) values!: string[] | null;
}

/** A custom field as listed: with when it was defined. */
export class ListedCustomFieldBody extends CustomFieldBody {
  @ApiProperty(DATE_TIME) createdAt!: string;
}

export class StandardFieldBody {
  @ApiProperty({ example: 'email' }) name!: string;
  @ApiProperty({ example: 'ada.lovelace@example.com' }) example!: string;
}
