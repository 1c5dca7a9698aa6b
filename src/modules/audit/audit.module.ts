import { Module } from '@nestjs/common';
import { AuditController } from './audit.controller.js';
import { AuditLogRepository } from './audit-log.repository.js';

@Module({ controllers: [AuditController], providers: [AuditLogRepository] })
export class AuditModule {}
