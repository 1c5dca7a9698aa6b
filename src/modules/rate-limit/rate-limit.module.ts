import { Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { ApiKeyRatesRepository } from './api-key-rates.repository.js';
import { RateLimitInterceptor } from './rate-limit.interceptor.js';

/** Per-key request rate limiting for the API. */
@Module({ providers: [ApiKeyRatesRepository, { provide: APP_INTERCEPTOR, useClass: RateLimitInterceptor }] })
export class RateLimitModule {}
