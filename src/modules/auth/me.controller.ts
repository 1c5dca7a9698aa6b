import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { MeBody } from './keys.schemas.js';
import { CurrentPrincipal, type Principal } from './principal.js';

/** Who the API key is: its workspace, its name and its role (what a console shows and allows). */
@Controller('v1/me')
export class MeController {
  @Get()
  @ApiOperation({ summary: "The key's workspace, name and role" })
  @ApiOkResponse({ type: MeBody , description: 'The workspace and the key.' })
  me(@CurrentPrincipal() principal: Principal): Record<string, unknown> {
    return { workspace: { id: principal.workspaceId, name: principal.workspaceName }, key: { name: principal.keyName, role: principal.role } };
  }
}
