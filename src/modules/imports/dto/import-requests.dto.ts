import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, IsUUID, Max, MaxLength, Min } from 'class-validator';
import { IMPORT_STATES, type ImportState } from '../../../state/import.machine.js';

export const REQUESTABLE_STATES = ['PREVIEW_PENDING', 'IMPORT_PENDING', 'CANCELLED'] as const;
export type RequestableState = (typeof REQUESTABLE_STATES)[number];

export class PatchImportDto {
  @ApiProperty({ enum: REQUESTABLE_STATES, description: 'PREVIEW_PENDING: make the plan; IMPORT_PENDING: apply it (approves an import waiting for approval); CANCELLED: cancel (rejects one waiting).' })
  @IsIn([...REQUESTABLE_STATES], { message: 'state must be PREVIEW_PENDING, IMPORT_PENDING or CANCELLED' })
  state!: RequestableState;

  @ApiPropertyOptional({ maxLength: 2000, description: 'Recorded with an approval or a rejection.' })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  comment?: string;
}

export class PageQuery {
  @ApiPropertyOptional({ type: 'integer', minimum: 1, default: 1 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  page?: number;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 500, description: 'Items per page (the default depends on the list: 20 or 50).' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  pageSize?: number;
}

export class ListImportsQuery extends PageQuery {
  @ApiPropertyOptional({ enum: IMPORT_STATES })
  @IsOptional()
  @IsIn([...IMPORT_STATES], { message: `state must be one of ${IMPORT_STATES.join(', ')}` })
  state?: ImportState;
}

/** What an import does to a person. */
export const PERSON_OPS = ['create', 'update', 'deactivate', 'delete', 'unchanged'] as const;
export const PREVIEW_OPS = [...PERSON_OPS, 'error', 'groups'] as const;
export type PreviewOp = (typeof PREVIEW_OPS)[number];

export class PreviewQuery extends PageQuery {
  @ApiPropertyOptional({ enum: PREVIEW_OPS, description: 'Only people with this op, or the groups (groups), or the line errors (error); all people when absent.' })
  @IsOptional()
  @IsIn([...PREVIEW_OPS], { message: `op must be one of ${PREVIEW_OPS.join(', ')}` })
  op?: PreviewOp;
}

/** `POST /v1/imports` with a JSON body: pull the file from a saved source, with a profile's config. */
export class PullImportDto {
  @ApiProperty({ format: 'uuid', description: 'The source to pull the file from.' })
  @IsUUID('all', { message: 'sourceId must be the id of a source' })
  sourceId!: string;

  @ApiProperty({ format: 'uuid', description: "The profile whose config the import gets." })
  @IsUUID('all', { message: 'profileId must be the id of a profile' })
  profileId!: string;
}
