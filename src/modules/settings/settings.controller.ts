import { Body, Controller, Get, Put } from '@nestjs/common';
import { IsInt, IsOptional, Max, Min, ValidateIf } from 'class-validator';
import { AdminOnly, CurrentPrincipal, type Principal } from '../auth/principal.js';
import { validateInput } from '../http/validate-input.js';
import { WorkspaceSettingsRepository, type WorkspaceSettings } from './workspace-settings.repository.js';

class SettingsDto {
  /** null (or absent) turns the limit off. */
  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @IsInt({ message: 'minIntervalMinutes must be a whole number of minutes, or null for no limit' })
  @Min(1)
  @Max(525_600)
  minIntervalMinutes?: number | null;
}

/** The workspace's settings: `minIntervalMinutes` between successful imports. */
@Controller('v1/settings')
export class SettingsController {
  constructor(private readonly settings: WorkspaceSettingsRepository) {}

  @Get()
  get(@CurrentPrincipal() principal: Principal): Promise<WorkspaceSettings> {
    return this.settings.get(principal.workspaceId);
  }

  @Put()
  @AdminOnly()
  put(@CurrentPrincipal() principal: Principal, @Body() body: unknown): Promise<WorkspaceSettings> {
    const dto = validateInput(SettingsDto, body, 'body');
    return this.settings.put(principal.workspaceId, { minIntervalMinutes: dto.minIntervalMinutes ?? null });
  }
}
