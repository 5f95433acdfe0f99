import { addMonths, todayInSaoPaulo } from '../../src/common/calendar';
import { parseContractValues } from '../../src/contracts/contract-values';
import type { Contract } from '../../src/contracts/contract.entity';
import { ContractsService } from '../../src/contracts/contracts.service';
import type { ContractFormDto } from '../../src/contracts/dto/contract-form.dto';
import type { TestApp } from '../support/test-app';
import { asSession, uniqueSuffix } from './client.factory';
import { factoryActor } from './operator.factory';

const actor = (t: TestApp) => factoryActor(t, 'manager', 'Gestora de Contratos');

export type ContractFormFields = Partial<
  Record<Exclude<keyof ContractFormDto, 'autoRenew' | 'version'>, string>
> & { autoRenew?: boolean };

/** The form fields of an ordinary contract in force: started a month ago, R$ 1.000,00, IPCA, 12 months. */
export function contractFields(overrides: ContractFormFields = {}): ContractFormFields {
  const today = todayInSaoPaulo();
  return {
    name: `Contrato ${uniqueSuffix()}`,
    modality: 'fixed_monthly',
    startDate: addMonths(today, -1),
    durationMonths: '12',
    monthlyValue: '1.000,00',
    readjustmentIndex: 'IPCA',
    readjustmentPeriodMonths: '12',
    ...overrides,
  };
}

/** A contract created through ContractsService, parsed exactly as the form is. */
export async function makeContract(
  t: TestApp,
  client: { id: string },
  overrides: ContractFormFields = {},
): Promise<Contract> {
  const parsed = parseContractValues(contractFields(overrides));
  if (!parsed.ok) throw new Error(`makeContract: invalid fields ${JSON.stringify(parsed.errors)}`);
  return t.app.get(ContractsService).create(asSession(await actor(t)), client.id, parsed.values);
}

/** Moves a stored contract's dates directly (for statuses a form would not produce today: expired, due). */
export async function setContractDates(
  t: TestApp,
  contract: { id: string },
  dates: { startDate?: string; endDate?: string | null; nextReadjustmentDate?: string },
): Promise<void> {
  const sets: string[] = [];
  const params: unknown[] = [contract.id];
  for (const [key, column] of [
    ['startDate', 'start_date'],
    ['endDate', 'end_date'],
    ['nextReadjustmentDate', 'next_readjustment_date'],
  ] as const) {
    if (key in dates) {
      params.push(dates[key]);
      sets.push(`${column} = $${params.length}`);
    }
  }
  await t.dataSource.query(`UPDATE contracts SET ${sets.join(', ')} WHERE id = $1`, params);
}
