import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Cron, CronExpression } from '@nestjs/schedule';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/app-config.token';
import { ClientPurgeService } from './client-purge.service';

/** A minute after start-up the first run catches up on anything a stop or crash left behind. */
const FIRST_RUN_DELAY_MS = 60_000;

/**
 * Runs the purge in-process every hour (and once shortly after start-up), so a marked client is gone
 * well within 48 h even across restarts; the advisory lock in ClientPurgeService keeps several app
 * instances from running it together. Tests (NODE_ENV=test) run it explicitly instead.
 */
@Injectable()
export class ClientPurgeScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('ClientPurge');
  private firstRun?: NodeJS.Timeout;

  constructor(
    private readonly purge: ClientPurgeService,
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    // Migrations have run: put the deletion guard on tables they added since the last start. Not fatal
    // (a busy table can hit the web lock timeout): every purge run installs missing guards again.
    try {
      await this.dataSource.query(`SELECT clientela_install_deletion_guards()`);
    } catch (error) {
      this.logger.warn({ err: error }, 'could not install the deletion guards now; the next purge run will');
    }
    if (this.config.nodeEnv !== 'test')
      this.firstRun = setTimeout(() => void this.tick(), FIRST_RUN_DELAY_MS).unref();
  }

  onApplicationShutdown(): void {
    if (this.firstRun) clearTimeout(this.firstRun);
  }

  @Cron(CronExpression.EVERY_HOUR, { name: 'client-purge', waitForCompletion: true })
  async hourly(): Promise<void> {
    if (this.config.nodeEnv === 'test') return;
    await this.tick();
  }

  private async tick(): Promise<void> {
    try {
      await this.purge.run();
    } catch (error) {
      this.logger.error({ err: error }, 'purge run failed; the next hourly run resumes it');
    }
  }
}
