import { Module } from '@nestjs/common';
import { ApplierRepository } from '../applying/applier.repository.js';
import { CustomFieldsRepository } from '../directory/custom-fields.repository.js';
import { FilesModule } from '../files/files.module.js';
import { ImportsCoreModule } from '../imports/imports-core.module.js';
import { PlannerRepository } from '../planning/planner.repository.js';
import { Stager } from '../staging/stager.service.js';
import { StagingRepository } from '../staging/staging.repository.js';
import { ImportPipeline } from './import-pipeline.service.js';

@Module({
  imports: [FilesModule, ImportsCoreModule],
  providers: [ImportPipeline, Stager, StagingRepository, PlannerRepository, ApplierRepository, CustomFieldsRepository],
  exports: [ImportPipeline],
})
export class PipelineModule {}
