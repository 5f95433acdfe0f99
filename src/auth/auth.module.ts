import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { SecretBox } from '../common/crypto/secret-box';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/app-config.token';
import { AccountController } from './account.controller';
import { LoginThrottleService } from './login-throttle.service';
import { Operator } from './operator.entity';
import { OperatorsController } from './operators.controller';
import { OperatorsService } from './operators.service';
import { ReauthenticationController } from './reauthentication.controller';
import { SecurityNotices } from './security-notices';
import { SessionStore } from './session-store';
import { SessionsController } from './sessions.controller';
import { TotpRepository } from './totp/totp.repository';
import { TOTP_SECRET_BOX, TotpService } from './totp/totp.service';

@Module({
  imports: [TypeOrmModule.forFeature([Operator])],
  providers: [
    OperatorsService,
    LoginThrottleService,
    SessionStore,
    SecurityNotices,
    TotpRepository,
    TotpService,
    {
      provide: TOTP_SECRET_BOX,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => new SecretBox(config.appSecret, 'totp-seed'),
    },
  ],
  controllers: [SessionsController, OperatorsController, AccountController, ReauthenticationController],
  exports: [OperatorsService, TotpService],
})
export class AuthModule {}
