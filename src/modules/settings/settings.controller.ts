import { Body, Controller, Get, Put } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiOperation, ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, Max, Min, ValidateIf } from 'class-validator';
import { AdminOnly, CurrentPrincipal, type Principal } from '../auth/principal.js';
import { ApiErrors } from '../http/api-docs.js';
import { validateInput } from '../http/validate-input.js';
import { WorkspaceSettingsRepository, type WorkspaceSettings } from './workspace-settings.repository.js';

class SettingsDto {
  /** null (or absent) turns the limit off. */
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 525_600, nullable: true, description: 'null (or absent) turns the limit off.' })
  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @IsInt({ message: 'minIntervalMinutes must be a whole number of minutes, or null for no limit' })
  @Min(1)
  @Max(525_600)
  minIntervalMinutes?: number | null;
}

class SettingsBody implements WorkspaceSettings {
  @ApiProperty({ type: 'integer', nullable: true, description: 'After a successful import, a new one is refused (429) for this many minutes; null: no limit.' })
  minIntervalMinutes!: number | null;
}

/** The workspace's settings: `minIntervalMinutes` between successful imports. */
@Controller('v1/settings')
export class SettingsController {
  constructor(private readonly settings: WorkspaceSettingsRepository) {}

  @Get()
  @ApiOperation({ summary: "The workspace's settings" })
  @ApiOkResponse({ type: SettingsBody , description: 'The settings.' })
  get(@CurrentPrincipal() principal: Principal): Promise<WorkspaceSettings> {
    return this.settings.get(principal.workspaceId);
  }

  @Put()
  @AdminOnly()
  @ApiOperation({ summary: "Replace the workspace's settings" })
  @ApiBody({ type: SettingsDto })
  @ApiOkResponse({ type: SettingsBody , description: 'The settings, as saved.' })
  @ApiErrors({ 400: 'minIntervalMinutes is not a whole number from 1 to 525600, or null.' })
  put(@CurrentPrincipal() principal: Principal, @Body() body: unknown): Promise<WorkspaceSettings> {
    const dto = validateInput(SettingsDto, body, 'body');
    return this.settings.put(principal.workspaceId, { minIntervalMinutes: dto.minIntervalMinutes ?? null });
  }
}
