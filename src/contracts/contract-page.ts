import type { Response } from 'express';
import type { Client } from '../clients/client.entity';
import { todayInSaoPaulo } from '../common/calendar';
import { contractView, revisionView } from './contract-view';
import type { Contract } from './contract.entity';
import type { ContractsService } from './contracts.service';

/**
 * `GET /contracts/:id`: the contract, its revision history (adendos) and, for managers, the readjustment and
 * cancellation forms. Also the 422 re-render of those forms, with the operator's values and messages.
 */
export async function renderContractPage(
  res: Response,
  contracts: ContractsService,
  status: number,
  contract: Contract,
  client: Client,
  extra: Record<string, unknown> = {},
): Promise<void> {
  const view = contractView(contract, todayInSaoPaulo());
  res.status(status).render('contracts/show', {
    title: contract.name,
    section: 'clients',
    client,
    contract: view,
    revisions: (await contracts.revisions(contract.id)).map(revisionView),
    readjustForm: { effectiveFrom: contract.nextReadjustmentDate },
    readjustErrors: {},
    cancelForm: {},
    cancelErrors: {},
    ...extra,
  });
}
