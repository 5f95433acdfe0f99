import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AccountController } from './account.controller';
import { LoginThrottleService } from './login-throttle.service';
import { Operator } from './operator.entity';
import { OperatorsController } from './operators.controller';
import { OperatorsService } from './operators.service';
import { SessionsController } from './sessions.controller';

@Module({
  imports: [TypeOrmModule.forFeature([Operator])],
  providers: [OperatorsService, LoginThrottleService],
  controllers: [SessionsController, OperatorsController, AccountController],
  exports: [OperatorsService],
})
export class AuthModule {}
