import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import nodemailer, { type SendMailOptions, type Transporter } from 'nodemailer';
import { ENV } from '../config/config.module.js';
import type { Env } from '../config/env.js';
import { Metrics } from '../metrics/metrics.js';

/** Sends e-mail through SMTP_URL (nodemailer); without it, nothing is sent and callers are told. */
@Injectable()
export class Mailer implements OnApplicationShutdown {
  private readonly logger = new Logger('mail');
  private readonly transport: Transporter | undefined;

  constructor(
    @Inject(ENV) private readonly env: Env,
    private readonly metrics: Metrics,
  ) {
    this.transport = env.smtpUrl ? nodemailer.createTransport(env.smtpUrl) : undefined;
  }

  get configured(): boolean {
    return this.transport !== undefined;
  }

  async send(message: Omit<SendMailOptions, 'from'>): Promise<void> {
    if (!this.transport) throw new Error('SMTP_URL is not set');
    try {
      await this.transport.sendMail({ from: this.env.smtpFrom, ...message });
    } catch (error) {
      this.metrics.emailFailed();
      throw error;
    }
    this.logger.debug({ to: message.to, subject: message.subject }, 'mail sent');
  }

  onApplicationShutdown(): void {
    this.transport?.close();
  }
}
