import { ApiProperty, ApiPropertyOptional, getSchemaPath } from '@nestjs/swagger';
import { IMPORT_STATES, type ImportState } from '../../state/import.machine.js';
import { ENCODINGS, type SourceEncoding } from '../files/to-utf8.js';
import type { FileSample } from '../staging/file-sample.js';
import { PERSON_OPS, PREVIEW_OPS } from './dto/import-requests.dto.js';
import { ColumnFieldBody, ErrorRowBody, GroupCountsBody, OpCountsBody } from './imports.schemas.js';
import type { GroupCounts, PersonOp } from './preview.repository.js';

/** What an import does to groups and memberships (import_group_changes.op). */
const GROUP_OPS = ['group_create', 'group_remove', 'member_add', 'member_remove'] as const;

/* What an import's preview and sample look like, for the OpenAPI document. */

const FROM_TO = { type: 'object', properties: { from: {}, to: {} } };

/** A person the import creates, updates, deactivates, deletes or leaves unchanged. */
export class PersonChangeBody {
  @ApiProperty({ type: Number, nullable: true, description: "The file's line; null for people absent from a full snapshot." }) line!: number | null;
  @ApiProperty({ description: 'The key (externalId or email).' }) key!: string;
  @ApiProperty({ enum: PERSON_OPS }) op!: PersonOp;
  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: 'create: the fields the person gets.' }) fields?: Record<string, unknown>;
  @ApiPropertyOptional({ type: 'object', additionalProperties: FROM_TO, description: 'update (and others that change fields): each field, from → to.' })
  changes?: Record<string, { from: unknown; to: unknown }>;
}

/** A group created or removed, or a membership added or removed. */
export class GroupChangeBody {
  @ApiProperty({ enum: GROUP_OPS }) op!: (typeof GROUP_OPS)[number];
  @ApiProperty() group!: string;
  @ApiProperty({ type: String, nullable: true, description: "The member's key (memberships)." }) key!: string | null;
  @ApiProperty({ type: Number, nullable: true }) line!: number | null;
}

export class PreviewBody {
  @ApiProperty({ enum: IMPORT_STATES }) state!: ImportState;
  @ApiProperty({ description: 'Whether the plan is made; until then there are no items.' }) ready!: boolean;
  @ApiProperty({ type: OpCountsBody }) counts!: OpCountsBody;
  @ApiProperty({ type: GroupCountsBody, nullable: true }) groups!: GroupCounts | null;
  @ApiProperty({ type: String, enum: PREVIEW_OPS, nullable: true }) op!: string | null;
  @ApiProperty() page!: number;
  @ApiProperty() pageSize!: number;
  @ApiProperty() total!: number;

  @ApiProperty({
    type: 'array',
    description: 'People (no op, or a person op), groups (op=groups) or line errors (op=error).',
    items: { anyOf: [PersonChangeBody, GroupChangeBody, ErrorRowBody].map((model) => ({ $ref: getSchemaPath(model) })) },
  })
  items!: unknown[];
}

export class FileSampleBody implements FileSample {
  @ApiProperty({ enum: ENCODINGS.filter((encoding) => encoding !== 'auto') }) encoding!: SourceEncoding;
  @ApiProperty({ example: ';' }) delimiter!: string;
  @ApiProperty({ description: 'Whether the first row is (or is taken as) a header row.' }) header!: boolean;
  @ApiProperty({ type: [String] }) columns!: string[];
  @ApiProperty({ type: 'array', items: { type: 'array', items: { type: 'string' } }, description: 'The first rows after the header.' }) rows!: string[][];
  @ApiProperty({ type: [ColumnFieldBody], description: 'Column → field, as an import with this config would map them.' }) mapping!: ColumnFieldBody[];
  @ApiProperty({ type: String, nullable: true, description: 'Why the sample could not be read in full.' }) problem!: string | null;
}
