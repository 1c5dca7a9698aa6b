import { ApiProperty } from '@nestjs/swagger';
import { KEY_ROLES, type KeyRole } from './api-key.js';
import type { KeyView } from './api-keys.repository.js';

export class KeyBody implements KeyView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'hr-middleware' }) name!: string;
  @ApiProperty({ enum: KEY_ROLES }) role!: KeyRole;
  @ApiProperty({ description: 'The first characters of the key, to tell keys apart.', example: 'rsk_Xy3kP9' }) prefix!: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) lastUsedAt!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) revokedAt!: string | null;
}

export class CreatedKeyBody {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: KEY_ROLES }) role!: KeyRole;
  @ApiProperty({ description: 'The secret key, shown in this answer only (only its hash is stored).', example: 'rsk_Xy3kP9…' }) key!: string;
}

export class MeBody {
  @ApiProperty({ type: 'object', properties: { id: { type: 'string', format: 'uuid' }, name: { type: 'string' } }, required: ['id', 'name'] })
  workspace!: { id: string; name: string };

  @ApiProperty({ type: 'object', properties: { name: { type: 'string' }, role: { type: 'string', enum: [...KEY_ROLES] } }, required: ['name', 'role'] })
  key!: { name: string; role: KeyRole };
}
