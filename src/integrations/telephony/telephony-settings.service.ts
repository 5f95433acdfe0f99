import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { SessionOperator } from '../../auth/session-operator';
import { AuditLogger } from '../../common/audit-logger';
import { SecretBox, SecretBoxError } from '../../common/crypto/secret-box';
import type { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/app-config.token';
import { AsteriskAmiProvider } from './asterisk-ami.provider';
import { TelephonySettingsDto } from './dto/telephony-settings.dto';
import { HttpTemplateProvider } from './http-template.provider';
import { TelLinkProvider } from './tel-link.provider';
import type { OriginateResult, TelephonyProvider, TestResult } from './telephony-provider';
import { DEFAULT_AMI_PORT, telephonyDestination } from './telephony-destination';
import { TelephonySettings, type ProviderKind } from './telephony-settings.entity';

const SETTINGS_ID = 1;
/** Associated data of the sealed secret: a ciphertext copied from elsewhere does not open here. */
const SECRET_AAD = 'telephony_settings:1:secret';
/** The list page asks on every request whether click-to-call is on; a few seconds of staleness across processes is fine. */
const KIND_TTL_MS = 5_000;

export const DEFAULT_TIMEOUT_MS = 8_000;

export type SettingsView = Omit<TelephonySettings, 'secretEnc'> & { hasSecret: boolean };

/** Settings whose sealed secret cannot be opened (APP_SECRET changed): the provider says so on use. */
class BrokenSecretProvider implements TelephonyProvider {
  private readonly failure = {
    ok: false,
    code: 'config',
    error: 'stored secret cannot be decrypted (APP_SECRET changed?)',
  } as const;
  constructor(readonly kind: ProviderKind) {}
  originate(): Promise<OriginateResult> {
    return Promise.resolve(this.failure);
  }
  test(): Promise<TestResult> {
    return Promise.resolve(this.failure);
  }
}

/** The click-to-call settings (one row), the sealed secret, and the provider they describe. */
@Injectable()
export class TelephonySettingsService {
  private readonly box: SecretBox;
  private kindCache: { at: number; kind: ProviderKind } | null = null;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly audit: AuditLogger,
  ) {
    this.box = new SecretBox(config.appSecret, 'telephony');
  }

  /** The settings without the secret (only whether one is stored). */
  async get(): Promise<SettingsView> {
    const { secretEnc, ...settings } = await this.load();
    return { ...settings, hasSecret: secretEnc !== null };
  }

  /** Whether the list shows a call button (a provider) or a `tel:` link (none); cached briefly. */
  async kind(): Promise<ProviderKind> {
    if (this.kindCache && Date.now() - this.kindCache.at < KIND_TTL_MS) return this.kindCache.kind;
    const row = await this.dataSource
      .getRepository(TelephonySettings)
      .findOne({ select: { id: true, provider: true }, where: { id: SETTINGS_ID } });
    const kind = row?.provider ?? 'none';
    this.kindCache = { at: Date.now(), kind };
    return kind;
  }

  async save(operator: SessionOperator, dto: TelephonySettingsDto): Promise<void> {
    await this.dataSource.transaction(async (tx) => {
      const current = await tx
        .getRepository(TelephonySettings)
        .createQueryBuilder('s')
        .addSelect('s.secretEnc')
        .where('s.id = :id', { id: SETTINGS_ID })
        .setLock('pessimistic_write')
        .getOneOrFail();
      // The stored secret stays only while the settings still point where it was saved for.
      const secretEnc = dto.secret
        ? this.box.seal(dto.secret, SECRET_AAD)
        : dto.clearSecret || telephonyDestination(toColumns(dto)) !== telephonyDestination(current)
          ? null
          : current.secretEnc;
      await tx
        .getRepository(TelephonySettings)
        .update(SETTINGS_ID, { ...toColumns(dto), secretEnc, updatedBy: operator.id });
    });
    this.kindCache = null;
    // Which fields changed is enough for the audit trail; values (and above all the secret) stay out of logs.
    this.audit.log('telephony.settings_saved', {
      operatorId: operator.id,
      provider: dto.provider,
      secret: dto.secret ? 'replaced' : dto.clearSecret ? 'cleared' : 'kept',
    });
  }

  /** The saved settings (without the secret) and the provider they configure. */
  async active(): Promise<{ settings: SettingsView; provider: TelephonyProvider }> {
    const { secretEnc, ...settings } = await this.load();
    return {
      settings: { ...settings, hasSecret: secretEnc !== null },
      provider: this.build({ ...settings, secretEnc: null }, this.openSecret(secretEnc)),
    };
  }

  /**
   * The provider a submitted (not yet saved) form describes, for "Testar": a blank secret means the
   * stored one, as saving would — and only for the destination it was saved for (the form pointing at
   * another host gets no secret; the page refuses that form before it gets here).
   */
  async providerFor(dto: TelephonySettingsDto): Promise<TelephonyProvider> {
    const columns = toColumns(dto);
    let secret: string | null | SecretBoxError = dto.secret ?? null;
    if (!dto.secret && !dto.clearSecret) {
      const saved = await this.load();
      if (telephonyDestination(columns) === telephonyDestination(saved))
        secret = this.openSecret(saved.secretEnc);
    }
    return this.build({ ...columns, secretEnc: null } as TelephonySettings, secret);
  }

  private build(settings: TelephonySettings, secret: string | null | SecretBoxError): TelephonyProvider {
    if (secret instanceof SecretBoxError) return new BrokenSecretProvider(settings.provider);
    switch (settings.provider) {
      case 'asterisk-ami':
        return new AsteriskAmiProvider({
          host: settings.host ?? '',
          port: settings.port ?? DEFAULT_AMI_PORT,
          username: settings.username ?? '',
          secret: secret ?? '',
          context: settings.context ?? '',
          channelTemplate: settings.channelTemplate ?? 'PJSIP/{extension}',
          callerId: settings.callerId,
          timeoutMs: settings.timeoutMs,
        });
      case 'http-template':
        return new HttpTemplateProvider({
          urlTemplate: settings.urlTemplate ?? '',
          method: settings.method,
          headersTemplate: settings.headersTemplate,
          bodyTemplate: settings.bodyTemplate,
          username: settings.username,
          secret,
          timeoutMs: settings.timeoutMs,
        });
      default:
        return new TelLinkProvider();
    }
  }

  private openSecret(sealed: string | null): string | null | SecretBoxError {
    if (!sealed) return null;
    try {
      return this.box.open(sealed, SECRET_AAD);
    } catch (error) {
      if (error instanceof SecretBoxError) return error;
      throw error;
    }
  }

  private load(): Promise<TelephonySettings> {
    return this.dataSource
      .getRepository(TelephonySettings)
      .createQueryBuilder('s')
      .addSelect('s.secretEnc')
      .where('s.id = :id', { id: SETTINGS_ID })
      .getOneOrFail();
  }
}

function toColumns(dto: TelephonySettingsDto) {
  return {
    provider: dto.provider,
    host: dto.host ?? null,
    port: dto.port ?? null,
    username: dto.username ?? null,
    context: dto.context ?? null,
    channelTemplate: dto.channelTemplate ?? null,
    callerId: dto.callerId ?? null,
    urlTemplate: dto.urlTemplate ?? null,
    method: dto.method ?? 'POST',
    headersTemplate: dto.headersTemplate ?? null,
    bodyTemplate: dto.bodyTemplate ?? null,
    dialFormat: dto.dialFormat ?? 'e164',
    dialPrefix: dto.dialPrefix ?? null,
    timeoutMs: (dto.timeoutSeconds ?? DEFAULT_TIMEOUT_MS / 1000) * 1000,
  };
}
