import { applyDecorators } from '@nestjs/common';
import { ApiHeader, ApiProperty, ApiPropertyOptional, ApiResponse, type ApiPropertyOptions } from '@nestjs/swagger';
import { IMPORT_STATES, type ImportState } from '../../state/import.machine.js';
import type { ApprovalReason } from '../approval/approval-gates.js';
import { DECISION_KINDS, type Decision } from '../approval/approval.repository.js';
import { ENCODINGS, type Encoding } from '../files/to-utf8.js';
import { DATE_TIME, NULLABLE_TEXT } from '../http/api-docs.js';
import { COUNT_GATES, DELIMITERS, KEY_FIELDS, MISSING, MODES, SCOPES, type ApprovalConfig, type GateLimit, type ImportConfig, type KeyField } from './import-config.js';
import type { ImportEvent } from './import-events.repository.js';
import { PHASES, type OpCounts, type Phase } from './import-record.js';
import type { ImportProgress, ImportView } from './import-view.js';
import type { ErrorRow, GroupCounts } from './preview.repository.js';

/* What the imports API answers with, for the OpenAPI document; each class implements the type the code returns. */


/** A gate's limit: a number of people, or a percentage of the active people; null: no limit. */
export const GATE_LIMIT: ApiPropertyOptions = {
  oneOf: [{ type: 'integer', minimum: 0, nullable: true }, { type: 'string', pattern: '^\\d+(\\.\\d+)?%$', example: '10%' }],
};

export class ParsingConfigBody implements Required<ImportConfig['parsing']> {
  @ApiProperty({ type: String, enum: DELIMITERS, nullable: true, description: 'null: detected from the file.' }) delimiter!: string | null;
  @ApiProperty({ enum: ENCODINGS }) encoding!: Encoding;
  @ApiProperty({ description: 'Whether the first row names the columns.' }) header!: boolean;
  @ApiProperty({ type: [String], nullable: true, description: 'The column names of a file without a header row.' }) columns!: string[] | null;
}

export class ApprovalConfigBody implements ApprovalConfig {
  @ApiProperty(GATE_LIMIT) maxCreates!: GateLimit | null;
  @ApiProperty(GATE_LIMIT) maxUpdates!: GateLimit | null;
  @ApiProperty(GATE_LIMIT) maxDeactivations!: GateLimit | null;
  @ApiProperty(GATE_LIMIT) maxDeletions!: GateLimit | null;
  @ApiProperty({ description: 'A mapped column empty on every line holds the import.' }) emptyColumns!: boolean;
  @ApiProperty({ description: 'Headers unlike the last successful import of the same profile hold the import.' }) schemaDrift!: boolean;
  @ApiProperty({ description: 'The approver must be another key than the one that created the import or changed its config.' }) fourEyes!: boolean;
}

/** An import's config with every option filled in (what imports and profiles show). */
export class ImportConfigBody implements ImportConfig {
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' }, nullable: true, description: 'CSV column → field; null: headers mapped by their common names.' })
  mapping!: Record<string, string> | null;

  @ApiProperty({ enum: KEY_FIELDS }) key!: KeyField;
  @ApiProperty({ enum: MODES }) mode!: ImportConfig['mode'];
  @ApiProperty({ enum: MISSING }) missing!: ImportConfig['missing'];
  @ApiProperty({ enum: SCOPES }) scope!: ImportConfig['scope'];
  @ApiProperty() createMissing!: boolean;
  @ApiProperty({ type: ApprovalConfigBody }) approval!: ApprovalConfig;

  @ApiProperty({ type: 'object', properties: { email: { type: 'array', items: { type: 'string', format: 'email' } } }, required: ['email'] })
  notify!: { email: string[] };

  @ApiProperty({ type: 'object', properties: { newUsers: { type: 'boolean' }, pendingUsers: { type: 'boolean' } }, required: ['newUsers', 'pendingUsers'] })
  invite!: { newUsers: boolean; pendingUsers: boolean };

  @ApiProperty() recoveryCodes!: boolean;
  @ApiProperty({ type: ParsingConfigBody }) parsing!: ImportConfig['parsing'];
}

export class OpCountsBody implements OpCounts {
  @ApiProperty() create!: number;
  @ApiProperty() update!: number;
  @ApiProperty() unchanged!: number;
  @ApiProperty() deactivate!: number;
  @ApiProperty() delete!: number;
  @ApiProperty({ description: 'Lines with an error.' }) error!: number;
}

export class AppliedCountsBody implements Pick<OpCounts, 'create' | 'update' | 'deactivate' | 'delete'> {
  @ApiProperty() create!: number;
  @ApiProperty() update!: number;
  @ApiProperty() deactivate!: number;
  @ApiProperty() delete!: number;
}

export class ProgressBody implements ImportProgress {
  @ApiProperty({ enum: PHASES }) phase!: Phase;
  @ApiProperty() linesProcessed!: number;
  @ApiProperty() bytesProcessed!: number;
  @ApiProperty() totalBytes!: number;
  @ApiProperty({ minimum: 0, maximum: 100 }) percent!: number;
}

export class FileBody implements Required<ImportView['file']> {
  @ApiProperty({ example: 'employees.csv' }) name!: string;
  @ApiProperty({ description: 'Bytes, as stored (UTF-8).' }) size!: number;
  @ApiProperty({ example: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08' }) sha256!: string;
}

export class ColumnFieldBody {
  @ApiProperty({ example: 'E-mail' }) column!: string;
  @ApiProperty({ example: 'email' }) field!: string;
}

export class ApprovalReasonBody implements ApprovalReason {
  @ApiProperty({ enum: [...COUNT_GATES, 'emptyColumns', 'schemaDrift'] }) gate!: ApprovalReason['gate'];
  @ApiProperty() message!: string;
}

export class ApprovalBody {
  @ApiProperty({ description: "Whether the gates hold the current plan (the status says whether it still waits)." }) required!: boolean;
  @ApiProperty({ type: [ApprovalReasonBody] }) reasons!: ApprovalReason[];
}

export class DecisionBody implements Pick<Decision, 'kind' | 'by' | 'at' | 'comment'> {
  @ApiProperty({ enum: DECISION_KINDS }) kind!: Decision['kind'];
  @ApiProperty({ ...NULLABLE_TEXT, description: "The key's name; null when auto-approved." }) by!: string | null;
  @ApiProperty(DATE_TIME) at!: string;
  @ApiProperty(NULLABLE_TEXT) comment!: string | null;
}

const STATE_TIMES: ApiPropertyOptions = {
  type: 'object',
  description: 'When the import entered each state it has been in.',
  properties: Object.fromEntries(IMPORT_STATES.map((state) => [state, { type: 'string', format: 'date-time' }])),
};

export class ImportBody implements ImportView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: IMPORT_STATES }) state!: ImportState;
  @ApiProperty({ description: 'For a person: Draft, File Processing, Waiting for Approval, Preview Ready, Approved by X, …', example: 'Preview Ready' }) status!: string;
  @ApiProperty({ type: FileBody }) file!: FileBody;
  @ApiProperty({ type: ImportConfigBody }) config!: ImportConfig;
  @ApiProperty({ ...NULLABLE_TEXT, format: 'uuid', description: 'The profile the config was copied from.' }) profileId!: string | null;
  @ApiProperty({ ...NULLABLE_TEXT, format: 'uuid', description: 'The source the file was pulled from.' }) sourceId!: string | null;
  @ApiProperty({ ...NULLABLE_TEXT, format: 'uuid', description: 'The schedule whose run pulled it.' }) scheduleId!: string | null;
  @ApiProperty({ type: [String], nullable: true, description: "The file's columns, once read." }) columns!: string[] | null;
  @ApiProperty({ type: [ColumnFieldBody], nullable: true, description: 'Which column fills which field, once read.' }) mapping!: ColumnFieldBody[] | null;
  @ApiProperty({ type: ProgressBody }) progress!: ImportProgress;
  @ApiProperty({ type: OpCountsBody, description: 'What the plan does (people counted once).' }) counts!: OpCounts;
  @ApiProperty({ type: AppliedCountsBody, description: 'What is applied so far.' }) applied!: AppliedCountsBody;
  @ApiProperty({ description: "The name of the key that created it, or the schedule's." }) requestedBy!: string;
  @ApiProperty(DATE_TIME) createdAt!: string;
  @ApiProperty(DATE_TIME) updatedAt!: string;
  @ApiProperty(STATE_TIMES) stateTimes!: Partial<Record<ImportState, string>>;
  @ApiProperty({ ...NULLABLE_TEXT, description: 'Why it failed (state FAILED).' }) failureReason!: string | null;
  @ApiProperty({ ...DATE_TIME, nullable: true, description: "When the stored file and the staged lines were removed (ROSTERSYNC_RETENTION_DAYS after it finished): the preview's people and the sample are gone; counts, line errors, groups and people's history stay." }) purgedAt!: string | null;
  @ApiProperty({ type: ApprovalBody, nullable: true, description: "The gates' verdict, once planned." }) approval!: ApprovalBody | null;
  @ApiProperty({ type: DecisionBody, nullable: true }) decision!: DecisionBody | null;
}

export class RemoteFileBody {
  @ApiProperty({ example: 'employees-2026-11-22.csv' }) name!: string;
  @ApiProperty({ description: 'The remote path (SFTP) or the final URL (HTTPS).' }) location!: string;
  @ApiProperty({ type: Number, nullable: true }) size!: number | null;
  @ApiProperty({ ...NULLABLE_TEXT, format: 'date-time' }) modifiedAt!: string | null;
}

export class PulledBody {
  @ApiProperty({ type: RemoteFileBody }) file!: RemoteFileBody;
  @ApiProperty({ ...NULLABLE_TEXT, description: 'What was done with the remote file: moved, deleted, or null (kept).' }) afterImport!: string | null;
}

/** An import made from a source's file. */
export class PulledImportBody extends ImportBody {
  @ApiPropertyOptional({ type: PulledBody, nullable: true, description: 'With a pull: the file pulled; null when an Idempotency-Key matched an earlier import.' })
  pulled?: PulledBody | null;
}

export class ImportEventBody implements ImportEvent {
  @ApiProperty() seq!: number;
  @ApiProperty(DATE_TIME) at!: string;
  @ApiProperty({ description: 'created, a state name (the state it went to), approved, rejected, auto-approved, approval-required, plan-recomputed', example: 'PREVIEW_PENDING' })
  type!: string;
  @ApiProperty(NULLABLE_TEXT) fromState!: string | null;
  @ApiProperty(NULLABLE_TEXT) toState!: string | null;
  @ApiProperty({ description: 'A key\'s name, a schedule, or "rostersync" for the workers.' }) actor!: string;
  @ApiProperty(NULLABLE_TEXT) comment!: string | null;
  @ApiProperty({ type: 'object', additionalProperties: true, nullable: true }) details!: Record<string, unknown> | null;
}

export class ErrorRowBody implements ErrorRow {
  @ApiProperty({ description: "The file's line." }) line!: number;
  @ApiProperty(NULLABLE_TEXT) column!: string | null;
  @ApiProperty({ example: 'INVALID_EMAIL' }) code!: string;
  @ApiProperty({ description: 'What is wrong, and what to do.' }) message!: string;
  @ApiProperty({ description: 'The original line.' }) raw!: string;
}

export class GroupCountsBody implements GroupCounts {
  @ApiProperty() groupsCreated!: number;
  @ApiProperty() groupsRemoved!: number;
  @ApiProperty() membershipsAdded!: number;
  @ApiProperty() membershipsRemoved!: number;
}

const LOCATION = { Location: { description: 'The import: /v1/imports/<id>.', schema: { type: 'string' } } };

/** A route that creates an import (201), or with a repeated Idempotency-Key returns the one it made (200). */
export function ApiCreatesImport(created: string, repeated: string): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ApiHeader({ name: 'idempotency-key', required: false, description: 'A retried request with the same key returns the import the first one made (200).' }),
    ApiResponse({ status: 201, type: PulledImportBody, headers: LOCATION, description: created }),
    ApiResponse({ status: 200, type: PulledImportBody, headers: LOCATION, description: repeated }),
  );
}
