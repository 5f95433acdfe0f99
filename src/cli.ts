import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { DataSource } from 'typeorm';
import { OperatorsService } from './auth/operators.service';
import { ClientPurgeService } from './clients/purge/client-purge.service';
import { AuditLogger } from './common/audit-logger';
import { ROLES, type Role } from './auth/operator.entity';
import { CreateOperatorDto } from './auth/dto/operator.dto';
import { AppError } from './common/errors/app-error';
import { parseForm } from './common/forms';
import { translate } from './common/i18n/translate';
import { ConfigError, loadConfig } from './config/app-config';
import { dataSourceOptions } from './database/data-source-options';
import { DataDirLockedError } from './database/data-dir-lock';
import { openDatabase } from './database/open-database';
import { PurgeScrubsRegistry } from './clients/purge/purge-scrubs';
import { SYNC_RUN_SCRUBS } from './integrations/sync/integrations-registration';
import { seedDemo } from './cli/seed-demo';

const USAGE = `Usage: npm run cli -- <command> [options]

  migrate                                  apply pending migrations
  operator:create --email E --name N --role admin|manager|agent --password P
                                           create an operator (e.g. the first admin)
  purge:run [--max-batches N]              remove the data of clients marked for deletion now
                                           (the app also does it every hour)
  seed:demo [--clients N]                  add N realistic demo clients (default 1000)

The database is DATABASE_URL, or the embedded one under DATA_DIR when it is unset
(only one process may open the embedded database: stop the app first).`;

type Command = (dataSource: DataSource, args: string[]) => Promise<void>;

const commands: Record<string, Command> = {
  async migrate(dataSource) {
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    console.log(
      applied.length ? `Applied: ${applied.map((m) => m.name).join(', ')}` : 'No pending migrations.',
    );
  },

  async 'operator:create'(dataSource, args) {
    const { values } = parseArgs({
      args,
      options: {
        email: { type: 'string' },
        name: { type: 'string' },
        role: { type: 'string' },
        password: { type: 'string' },
      },
    });
    const parsed = await parseForm(CreateOperatorDto, { ...values, active: 'true' }, 'pt-BR');
    if (!parsed.ok) {
      for (const [field, message] of Object.entries(parsed.errors)) console.error(`--${field}: ${message}`);
      if (parsed.errors.role) console.error(`  roles: ${ROLES.join(', ')}`);
      process.exitCode = 2;
      return;
    }
    await dataSource.runMigrations({ transaction: 'each' });
    const service = new OperatorsService(dataSource.getRepository('Operator'), dataSource);
    const operator = await service.create(parsed.value);
    console.log(`Operator ${operator.email} (${operator.role as Role}) created with id ${operator.id}.`);
  },
};

commands['seed:demo'] = async (dataSource, args) => {
  const { values } = parseArgs({ args, options: { clients: { type: 'string', default: '1000' } } });
  const clients = Number(values.clients);
  if (!Number.isInteger(clients) || clients < 1 || clients > 5_000_000) {
    console.error('--clients: a whole number between 1 and 5000000');
    process.exitCode = 2;
    return;
  }
  await dataSource.runMigrations({ transaction: 'each' });
  await seedDemo(dataSource, clients);
};

Object.assign(commands, {
  /** The deletion purge the app runs hourly, now. Exit code 1 when a client could not be purged. */
  async 'purge:run'(dataSource: DataSource, args: string[]) {
    const { values } = parseArgs({ args, options: { 'max-batches': { type: 'string' } } });
    const maxBatches = values['max-batches'] === undefined ? undefined : Number(values['max-batches']);
    if (maxBatches !== undefined && (!Number.isInteger(maxBatches) || maxBatches < 1)) {
      console.error('--max-batches: a positive whole number');
      process.exitCode = 2;
      return;
    }
    await dataSource.runMigrations({ transaction: 'each' });
    // The CLI is a composition root too: it wires the scrubs the app's modules register at start.
    const scrubs = new PurgeScrubsRegistry();
    for (const scrub of SYNC_RUN_SCRUBS) scrubs.register(scrub);
    const report = await new ClientPurgeService(dataSource, new AuditLogger(), scrubs).run({ maxBatches });
    if (report.skipped) {
      console.log('Another purge run is in progress (another app instance); nothing done.');
      return;
    }
    for (const { clientId, counts } of report.purged) {
      const rows = Object.values(counts).reduce((sum, n) => sum + n, 0);
      console.log(`Purged client ${clientId}: ${rows} rows (${JSON.stringify(counts)}).`);
    }
    for (const clientId of report.unfinished) console.log(`Unfinished (batch limit reached): ${clientId}`);
    for (const { clientId, error } of report.failed) console.error(`Failed: ${clientId}: ${error}`);
    for (const clientId of report.overdue) console.error(`Overdue (marked more than 36 h ago): ${clientId}`);
    if (!report.purged.length && !report.unfinished.length && !report.failed.length) {
      console.log('No client is waiting to be purged.');
    }
    if (report.failed.length) process.exitCode = 1;
  },
} satisfies Record<string, Command>);

async function main(): Promise<void> {
  const [name, ...args] = process.argv.slice(2);
  const command = name ? commands[name] : undefined;
  if (!command) {
    console.error(USAGE);
    process.exitCode = name ? 2 : 0;
    return;
  }
  const config = loadConfig();
  const database = await openDatabase(config);
  if (database.staleLockOwner) {
    console.error(
      `Note: the embedded database was left open by process ${database.staleLockOwner.pid}, which no longer runs; taken over.`,
    );
  }
  const dataSource = new DataSource(dataSourceOptions(database.url, { poolSize: 4 }));
  await dataSource.initialize();
  try {
    await command(dataSource, args);
  } finally {
    await dataSource.destroy();
    await database.close();
  }
}

main().catch((error: unknown) => {
  if (error instanceof AppError) console.error(`Error: ${translate('pt-BR', error.messageKey, error.vars)}`);
  else
    console.error(
      error instanceof ConfigError || error instanceof DataDirLockedError
        ? error.message
        : error instanceof Error
          ? `Error: ${error.message}`
          : error,
    );
  process.exit(1);
});
