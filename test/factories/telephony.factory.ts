import { Operator } from '../../src/auth/operator.entity';
import type { TelephonySettingsDto } from '../../src/integrations/telephony/dto/telephony-settings.dto';
import { TelephonySettingsService } from '../../src/integrations/telephony/telephony-settings.service';
import type { TestApp } from '../support/test-app';
import { asSession } from './client.factory';
import { makeOperator, type TestOperator } from './operator.factory';

/** Saves telephony settings through the service (the secret sealed as the settings page does). */
export async function configureTelephony(
  t: TestApp,
  values: Partial<TelephonySettingsDto> & Pick<TelephonySettingsDto, 'provider'>,
): Promise<void> {
  const admin = await makeOperator(t, 'admin', { name: 'Admin da Telefonia' });
  await t.app
    .get(TelephonySettingsService)
    .save(asSession(admin), { timeoutSeconds: 2, ...values } as TelephonySettingsDto);
}

/** Asterisk AMI settings pointing at a fake AMI server. */
export const amiSettings = (
  ami: { host: string; port: number },
  overrides: Partial<TelephonySettingsDto> = {},
) => ({
  provider: 'asterisk-ami' as const,
  host: ami.host,
  port: ami.port,
  username: 'clientela',
  secret: 's3cret-ami',
  context: 'from-internal',
  channelTemplate: 'PJSIP/{extension}',
  ...overrides,
});

/** The operator's extension (ramal), as /account would store it. */
export async function setExtension(
  t: TestApp,
  operator: TestOperator,
  extension: string | null,
): Promise<void> {
  await t.dataSource.getRepository(Operator).update(operator.id, { extension });
}
