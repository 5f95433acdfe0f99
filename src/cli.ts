import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { DataSource } from 'typeorm';
import { OperatorsService } from './auth/operators.service';
import { ROLES, type Role } from './auth/operator.entity';
import { CreateOperatorDto } from './auth/dto/operator.dto';
import { AppError } from './common/errors/app-error';
import { parseForm } from './common/forms';
import { translate } from './common/i18n/translate';
import { ConfigError, loadConfig } from './config/app-config';
import { dataSourceOptions } from './database/data-source-options';
import { openDatabase } from './database/open-database';
import { seedDemo } from './cli/seed-demo';

const USAGE = `Usage: npm run cli -- <command> [options]

  migrate                                  apply pending migrations
  operator:create --email E --name N --role admin|manager|agent --password P
                                           create an operator (e.g. the first admin)
  seed:demo [--clients N]                  add N realistic demo clients (default 1000)

The database is DATABASE_URL, or the embedded one under DATA_DIR when it is unset
(stop the app first: only one process may open the embedded database).`;

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
      error instanceof ConfigError
        ? error.message
        : error instanceof Error
          ? `Error: ${error.message}`
          : error,
    );
  process.exit(1);
});
