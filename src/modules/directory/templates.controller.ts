import { Controller, Get, Res } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';
import type { Response } from 'express';
import { ApiCsv } from '../http/api-docs.js';
import { CurrentPrincipal, type Principal } from '../auth/principal.js';
import type { CustomFieldDefinition } from './custom-field-types.js';
import { CustomFieldsRepository } from './custom-fields.repository.js';
import { STANDARD_FIELDS } from './user-fields.js';

const CUSTOM_EXAMPLES: Record<CustomFieldDefinition['type'], string> = { string: 'text', number: '42', boolean: 'y', date: '2026-01-31', enum: '' };

/** A file to start from: every field of the workspace as a header, with one example row. */
@Controller('v1/templates')
export class TemplatesController {
  constructor(private readonly customFields: CustomFieldsRepository) {}

  @Get('users.csv')
  @ApiOperation({ summary: 'A CSV file to start from: every field of the workspace as a header, with one example row' })
  @ApiCsv('The header row and an example row.', 'externalId,email,userName,…\r\nE0001234,ada.lovelace@example.com,alovelace,…\r\n')
  async users(@CurrentPrincipal() principal: Principal, @Res() response: Response): Promise<void> {
    // `archived` is another spelling of status; the template shows status.
    const standard = STANDARD_FIELDS.filter((field) => field.name !== 'archived');
    const custom = await this.customFields.list(principal.workspaceId);
    const header = [...standard.map((field) => field.name), ...custom.map((field) => field.key)];
    const example = [...standard.map((field) => field.example), ...custom.map((field) => field.values?.[0] ?? CUSTOM_EXAMPLES[field.type])];
    response.status(200).type('text/csv; charset=utf-8');
    response.setHeader('Content-Disposition', 'attachment; filename="users.csv"');
    response.send(`${header.map(csvCell).join(',')}\r\n${example.map(csvCell).join(',')}\r\n`);
  }
}

function csvCell(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}
