import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, IsUUID, Max, MaxLength, Min } from 'class-validator';
import { IMPORT_STATES, type ImportState } from '../../../state/import.machine.js';

export const REQUESTABLE_STATES = ['PREVIEW_PENDING', 'IMPORT_PENDING', 'CANCELLED'] as const;
export type RequestableState = (typeof REQUESTABLE_STATES)[number];

export class PatchImportDto {
  @IsIn([...REQUESTABLE_STATES], { message: 'state must be PREVIEW_PENDING, IMPORT_PENDING or CANCELLED' })
  state!: RequestableState;

  @IsOptional()
  @IsString()
  @MaxLength(2000)
  comment?: string;
}

export class PageQuery {
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  page?: number;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  pageSize?: number;
}

export class ListImportsQuery extends PageQuery {
  @IsOptional()
  @IsIn([...IMPORT_STATES], { message: `state must be one of ${IMPORT_STATES.join(', ')}` })
  state?: ImportState;
}

export const PREVIEW_OPS = ['create', 'update', 'deactivate', 'delete', 'unchanged', 'error', 'groups'] as const;
export type PreviewOp = (typeof PREVIEW_OPS)[number];

export class PreviewQuery extends PageQuery {
  @IsOptional()
  @IsIn([...PREVIEW_OPS], { message: `op must be one of ${PREVIEW_OPS.join(', ')}` })
  op?: PreviewOp;
}

/** `POST /v1/imports` with a JSON body: pull the file from a saved source, with a profile's config. */
export class PullImportDto {
  @IsUUID('all', { message: 'sourceId must be the id of a source' })
  sourceId!: string;

  @IsUUID('all', { message: 'profileId must be the id of a profile' })
  profileId!: string;
}
