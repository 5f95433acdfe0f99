import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { SecretBox, SecretBoxError } from '../../common/crypto/secret-box';
import type { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/app-config.token';
import { IntegrationSettings, type ProviderId } from './integration-settings.entity';

export type SealedField = 'secrets' | 'accessToken' | 'refreshToken';

/**
 * The providers' settings rows and their sealed values. Each sealed value carries its provider and column
 * as associated data, so a ciphertext copied into another row or column does not open.
 */
@Injectable()
export class IntegrationSettingsStore {
  private readonly box: SecretBox;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.box = new SecretBox(config.appSecret, 'integrations');
  }

  /** The row without anything sealed. */
  get(provider: ProviderId, manager: EntityManager = this.dataSource.manager): Promise<IntegrationSettings> {
    return manager.getRepository(IntegrationSettings).findOneByOrFail({ provider });
  }

  /** The row with its sealed columns; `lock` takes it FOR UPDATE (inside the caller's transaction). */
  withSealed(
    provider: ProviderId,
    manager: EntityManager = this.dataSource.manager,
    lock = false,
  ): Promise<IntegrationSettings> {
    const qb = manager
      .getRepository(IntegrationSettings)
      .createQueryBuilder('s')
      .addSelect(['s.secretsEnc', 's.accessTokenEnc', 's.refreshTokenEnc'])
      .where('s.provider = :provider', { provider });
    if (lock) qb.setLock('pessimistic_write');
    return qb.getOneOrFail();
  }

  async update(
    provider: ProviderId,
    values: Partial<IntegrationSettings>,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<void> {
    await manager.getRepository(IntegrationSettings).update({ provider }, values);
  }

  seal(provider: ProviderId, field: SealedField, plaintext: string): string {
    return this.box.seal(plaintext, aad(provider, field));
  }

  /** The plaintext, null when nothing is stored, or the SecretBoxError (APP_SECRET changed, tampering). */
  open(provider: ProviderId, field: SealedField, sealed: string | null): string | null | SecretBoxError {
    if (!sealed) return null;
    try {
      return this.box.open(sealed, aad(provider, field));
    } catch (error) {
      if (error instanceof SecretBoxError) return error;
      throw error;
    }
  }
}

const aad = (provider: ProviderId, field: SealedField) => `integration_settings:${provider}:${field}`;
