import { ApiProperty } from '@nestjs/swagger';
import { ENCODINGS, type SourceEncoding } from '../files/to-utf8.js';
import { NULLABLE_TEXT } from '../http/api-docs.js';
import { ColumnFieldBody, RemoteFileBody } from '../imports/imports.schemas.js';
import { AUTH_TYPES, type AuthType, type Source } from './source-spec.js';

/* What the sources API answers with, for the OpenAPI document. */


/** A source: everything but its credentials. */
export class SourceBody implements Source {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ description: 'Never with credentials.' }) uri!: string;
  @ApiProperty(NULLABLE_TEXT) pattern!: string | null;
  @ApiProperty({ enum: AUTH_TYPES }) auth!: AuthType;
  @ApiProperty(NULLABLE_TEXT) username!: string | null;
  @ApiProperty(NULLABLE_TEXT) hostKeyFingerprint!: string | null;
  @ApiProperty(NULLABLE_TEXT) caCertificate!: string | null;
  @ApiProperty({ example: 'move:processed' }) afterImport!: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
}

export class DialectBody {
  @ApiProperty({ enum: ENCODINGS.filter((encoding) => encoding !== 'auto') }) encoding!: SourceEncoding;
  @ApiProperty({ example: ';' }) delimiter!: string;
  @ApiProperty() header!: boolean;
}

/** A test of a source: the file it would take, read as an import would read it. */
export class SourceTestBody {
  @ApiProperty({ enum: [true] }) ok!: true;
  @ApiProperty({ type: RemoteFileBody }) file!: RemoteFileBody;
  @ApiProperty({ type: DialectBody }) dialect!: DialectBody;
  @ApiProperty({ type: [String] }) columns!: string[];
  @ApiProperty({ type: 'array', items: { type: 'array', items: { type: 'string' } }, description: 'The first rows after the header.' }) rows!: string[][];
  @ApiProperty({ type: [ColumnFieldBody], description: "Column → field, with the profile's mapping (or the common names)." }) mapping!: ColumnFieldBody[];
  @ApiProperty({ ...NULLABLE_TEXT, description: 'Why the sample could not be read in full.' }) problem!: string | null;
}
