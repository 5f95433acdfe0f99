import { en } from '../../common/i18n/en';
import { ptBR } from '../../common/i18n/pt-BR';
import fc from 'fast-check';
import { addDays, addMonths, isLeapYear, isValidIsoDate } from '../../common/calendar';
import { Decimal, MAX_MONEY_CENTS, Money, parseMoney, toSql } from '../../common/money';
import {
  computeContractStatus,
  CONTRACT_ERROR_CODES,
  CONTRACT_MODALITIES,
  CONTRACT_STATUSES,
  ContractStatus,
  ContractStatusInput,
  contractsDueIn,
  endDateFrom,
  isContractModality,
  isContractStatus,
  isReadjustmentIndex,
  isRenewalDue,
  parsePercent,
  planReadjustment,
  planRenewal,
  READJUSTMENT_INDEXES,
  ReadjustmentInput,
  resolveContractTerms,
} from './contract-rules';

const money = (text: string) => parseMoney(text)!;
const percent = (text: string) => parsePercent(text)!;
const modernDate = fc
  .date({ min: new Date('1990-01-01T00:00:00Z'), max: new Date('2150-12-31T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString().slice(0, 10));

describe('vocabularies', () => {
  it('names every modality, index and status in pt-BR and English', () => {
    for (const catalog of [ptBR, en]) {
      for (const modality of CONTRACT_MODALITIES)
        expect(catalog[`contracts.modality.${modality}`]).toEqual(expect.any(String));
      for (const index of READJUSTMENT_INDEXES)
        expect(catalog[`contracts.index.${index}`]).toEqual(expect.any(String));
      for (const status of CONTRACT_STATUSES)
        expect(catalog[`contracts.status.${status}`]).toEqual(expect.any(String));
    }
    expect(ptBR['contracts.status.pending_readjustment']).toBe('Reajuste pendente');
    expect(ptBR['contracts.modality.free']).toBe('Livre');
  });

  it('has a pt-BR and an English text for every error code', () => {
    for (const catalog of [ptBR, en]) {
      for (const code of CONTRACT_ERROR_CODES) expect(catalog[code]).toEqual(expect.any(String));
    }
  });

  it('recognises only the closed values', () => {
    expect(isContractModality('hours_bank')).toBe(true);
    expect(isContractModality('Hours')).toBe(false);
    expect(isContractModality('toString')).toBe(false);
    expect(isReadjustmentIndex('IGP-M')).toBe(true);
    expect(isReadjustmentIndex('IGPM')).toBe(false);
    expect(isContractStatus('expired')).toBe(true);
    expect(isContractStatus(undefined)).toBe(false);
  });
});

describe('computeContractStatus', () => {
  const today = '2026-03-15';
  const base: ContractStatusInput = {
    cancelledAt: null,
    startDate: '2025-03-15',
    endDate: '2027-03-14',
    nextReadjustmentDate: '2026-06-01',
  };
  const cases: [string, Partial<ContractStatusInput>, ContractStatus][] = [
    ['in force, readjustment ahead', {}, 'active'],
    ['no end and no readjustment scheduled', { endDate: null, nextReadjustmentDate: null }, 'active'],
    ['starts in the future', { startDate: '2026-04-01' }, 'active'],
    ['readjustment date tomorrow', { nextReadjustmentDate: '2026-03-16' }, 'active'],
    ['readjustment date today (due on the day)', { nextReadjustmentDate: today }, 'pending_readjustment'],
    ['readjustment date passed', { nextReadjustmentDate: '2026-03-01' }, 'pending_readjustment'],
    ['ends today (still in force)', { endDate: today }, 'active'],
    [
      'ends today with readjustment due',
      { endDate: today, nextReadjustmentDate: today },
      'pending_readjustment',
    ],
    ['ended yesterday', { endDate: '2026-03-14' }, 'expired'],
    [
      'ended, readjustment also passed (expired wins)',
      { endDate: '2026-03-14', nextReadjustmentDate: '2026-01-01' },
      'expired',
    ],
    ['ended but renews automatically', { endDate: '2026-03-14', autoRenew: true }, 'active'],
    [
      'ended, renews automatically, readjustment passed',
      { endDate: '2026-03-14', autoRenew: true, nextReadjustmentDate: '2026-03-15' },
      'pending_readjustment',
    ],
    ['cancelled (timestamp)', { cancelledAt: new Date('2026-01-10T12:00:00Z') }, 'cancelled'],
    ['cancelled (date text) while ended', { cancelledAt: '2026-01-10', endDate: '2026-01-01' }, 'cancelled'],
    [
      'cancelled with readjustment due',
      { cancelledAt: new Date(), nextReadjustmentDate: '2026-01-01' },
      'cancelled',
    ],
  ];

  it.each(cases)('%s → %s', (_name, change, expected) => {
    expect(computeContractStatus({ ...base, ...change }, today)).toBe(expected);
  });

  it('throws on malformed stored dates (a bug, not input)', () => {
    expect(() => computeContractStatus({ ...base, endDate: '2026-02-30' }, today)).toThrow(RangeError);
    expect(() => computeContractStatus(base, '15/03/2026')).toThrow(RangeError);
  });

  it('is pending from the readjustment date on, until a revision moves the date', () => {
    fc.assert(
      fc.property(modernDate, fc.integer({ min: -400, max: 400 }), (next, offset) => {
        const day = addDays(next, offset);
        const status = computeContractStatus({ nextReadjustmentDate: next }, day);
        expect(status).toBe(offset >= 0 ? 'pending_readjustment' : 'active');
      }),
    );
  });
});

describe('endDateFrom', () => {
  it.each([
    ['2026-01-15', 12, '2027-01-14'],
    ['2026-01-01', 12, '2026-12-31'],
    ['2026-01-01', 1, '2026-01-31'],
    ['2024-03-01', 12, '2025-02-28'],
    ['2023-03-01', 12, '2024-02-29'],
    ['2024-01-31', 1, '2024-02-28'],
    ['2024-02-29', 12, '2025-02-27'],
  ])('%s for %i months ends on %s', (start, months, end) => {
    expect(endDateFrom(start, months)).toBe(end);
  });

  it('ends the day before the same day n months later', () => {
    fc.assert(
      fc.property(modernDate, fc.integer({ min: 1, max: 600 }), (start, n) => {
        const end = endDateFrom(start, n);
        expect(addDays(end, 1)).toBe(addMonths(start, n));
        expect(end >= start).toBe(true);
      }),
    );
  });

  it('refuses durations outside 1..600 months', () => {
    expect(() => endDateFrom('2026-01-01', 0)).toThrow(RangeError);
    expect(() => endDateFrom('2026-01-01', 1.5)).toThrow(RangeError);
    expect(() => endDateFrom('2026-01-01', 601)).toThrow(RangeError);
  });
});

describe('resolveContractTerms', () => {
  it('computes the end from the duration and the first readjustment one period after the start', () => {
    expect(resolveContractTerms({ startDate: '2026-01-15', durationMonths: 12 })).toEqual({
      ok: true,
      value: {
        startDate: '2026-01-15',
        endDate: '2027-01-14',
        durationMonths: 12,
        readjustmentPeriodMonths: 12,
        nextReadjustmentDate: '2027-01-15',
      },
    });
  });

  it('refuses dates outside 1900–2199 as invalid instead of overflowing the calendar (9999-12-31 + 40 months)', () => {
    expect(resolveContractTerms({ startDate: '9999-12-31', durationMonths: 40 })).toMatchObject({
      ok: false,
      errors: { startDate: 'contracts.errors.invalidDate' },
    });
    expect(
      resolveContractTerms({
        startDate: '2026-01-15',
        endDate: '2200-01-01',
        nextReadjustmentDate: '1899-12-31',
      }),
    ).toMatchObject({
      ok: false,
      errors: {
        endDate: 'contracts.errors.invalidDate',
        nextReadjustmentDate: 'contracts.errors.invalidDate',
      },
    });
    expect(resolveContractTerms({ startDate: '2199-12-31', durationMonths: 600 })).toMatchObject({
      ok: true,
    });
  });

  it('accepts an explicit end date, a matching duration, or no fixed term', () => {
    const explicit = resolveContractTerms({
      startDate: '2026-01-15',
      endDate: '2026-06-30',
      readjustmentPeriodMonths: 6,
    });
    expect(explicit).toMatchObject({
      ok: true,
      value: { endDate: '2026-06-30', nextReadjustmentDate: '2026-07-15' },
    });
    const both = resolveContractTerms({ startDate: '2026-01-15', endDate: '2027-01-14', durationMonths: 12 });
    expect(both).toMatchObject({ ok: true, value: { endDate: '2027-01-14' } });
    const open = resolveContractTerms({ startDate: '2026-01-15', nextReadjustmentDate: '2026-05-01' });
    expect(open).toMatchObject({
      ok: true,
      value: { endDate: null, durationMonths: null, nextReadjustmentDate: '2026-05-01' },
    });
  });

  it.each([
    [{}, { startDate: 'contracts.errors.invalidDate' }],
    [{ startDate: '2026-02-30' }, { startDate: 'contracts.errors.invalidDate' }],
    [{ startDate: '2026-01-15', endDate: '2026-01-14' }, { endDate: 'contracts.errors.endBeforeStart' }],
    [{ startDate: '2026-01-15', endDate: '2026-13-01' }, { endDate: 'contracts.errors.invalidDate' }],
    [
      { startDate: '2026-01-15', endDate: '2026-12-31', durationMonths: 12 },
      { endDate: 'contracts.errors.endDateDurationMismatch' },
    ],
    [{ startDate: '2026-01-15', durationMonths: 0 }, { durationMonths: 'contracts.errors.invalidDuration' }],
    [
      { startDate: '2026-01-15', durationMonths: 2.5 },
      { durationMonths: 'contracts.errors.invalidDuration' },
    ],
    [
      { startDate: '2026-01-15', readjustmentPeriodMonths: 0 },
      { readjustmentPeriodMonths: 'contracts.errors.invalidPeriod' },
    ],
    [
      { startDate: '2026-01-15', readjustmentPeriodMonths: 121 },
      { readjustmentPeriodMonths: 'contracts.errors.invalidPeriod' },
    ],
    [
      { startDate: '2026-01-15', nextReadjustmentDate: '2026-01-14' },
      { nextReadjustmentDate: 'contracts.errors.readjustmentBeforeStart' },
    ],
  ])('refuses %j with %j', (input, errors) => {
    expect(resolveContractTerms(input)).toEqual({ ok: false, errors });
  });
});

describe('planReadjustment', () => {
  const base: ReadjustmentInput = {
    currentValue: money('1.500,00'),
    nextReadjustmentDate: '2026-03-01',
    periodMonths: 12,
    effectiveFrom: '2026-03-01',
  };

  it('applies a percentage HALF-UP and moves the date one period on', () => {
    const plan = planReadjustment({ ...base, percent: percent('4,5') });
    expect(plan.ok).toBe(true);
    if (!plan.ok) return;
    expect(toSql(plan.value.oldValue)).toBe('1500.00');
    expect(toSql(plan.value.newValue)).toBe('1567.50');
    expect(plan.value.percentApplied?.toString()).toBe('4.5');
    expect(plan.value.nextReadjustmentDate).toBe('2027-03-01');
    expect(plan.value.effectiveFrom).toBe('2026-03-01');
  });

  it('rounds 333,33 + 3,333 % to 344,44', () => {
    const plan = planReadjustment({ ...base, currentValue: money('333,33'), percent: percent('3,333') });
    expect(plan.ok && toSql(plan.value.newValue)).toBe('344.44');
  });

  it('accepts a negative percentage above −100 %', () => {
    const plan = planReadjustment({ ...base, percent: percent('-1,25') });
    expect(plan.ok && toSql(plan.value.newValue)).toBe('1481.25');
    const almostAll = planReadjustment({ ...base, percent: percent('-99,9999') });
    expect(almostAll.ok && toSql(almostAll.value.newValue)).toBe('0.00');
  });

  it('derives the percentage (4 decimals, HALF-UP) from a new value', () => {
    const plan = planReadjustment({ ...base, newValue: money('1.600,00') });
    expect(plan.ok && plan.value.percentApplied?.toString()).toBe('6.6667');
    expect(plan.ok && toSql(plan.value.newValue)).toBe('1600.00');
  });

  it('gives no percentage when a free contract gets its first value', () => {
    const plan = planReadjustment({ ...base, currentValue: Money.ZERO, newValue: money('100') });
    expect(plan).toMatchObject({ ok: true, value: { percentApplied: null } });
  });

  it('keeps an unscheduled contract unscheduled', () => {
    const plan = planReadjustment({ ...base, nextReadjustmentDate: null, percent: percent('5') });
    expect(plan).toMatchObject({ ok: true, value: { nextReadjustmentDate: null } });
  });

  it('moves the date from the previous date, not from today, when applied late', () => {
    const plan = planReadjustment({
      ...base,
      nextReadjustmentDate: '2025-01-31',
      periodMonths: 1,
      percent: percent('1'),
      effectiveFrom: '2026-03-10',
    });
    expect(plan).toMatchObject({
      ok: true,
      value: { nextReadjustmentDate: '2025-02-28', effectiveFrom: '2026-03-10' },
    });
  });

  it.each<[string, Partial<ReadjustmentInput>, Record<string, string>]>([
    ['neither percent nor value', {}, { percent: 'contracts.errors.percentOrNewValueRequired' }],
    [
      'both percent and value',
      { percent: percent('5'), newValue: money('10') },
      { percent: 'contracts.errors.percentAndNewValue' },
    ],
    ['−100 %', { percent: percent('-100') }, { percent: 'contracts.errors.percentTooLow' }],
    ['−150 %', { percent: percent('-150') }, { percent: 'contracts.errors.percentTooLow' }],
    ['5 decimals', { percent: Decimal.of(123456n, 5) }, { percent: 'contracts.errors.invalidPercent' }],
    ['a zero value', { newValue: money('0,00') }, { newValue: 'contracts.errors.newValueNotPositive' }],
    [
      'a negative value',
      { newValue: Money.fromCents(-1) },
      { newValue: 'contracts.errors.newValueNotPositive' },
    ],
    [
      'a value beyond numeric(12,2)',
      { newValue: Money.fromCents(MAX_MONEY_CENTS + 1n) },
      { newValue: 'contracts.errors.valueTooLarge' },
    ],
    [
      'a percentage that overflows numeric(12,2)',
      { currentValue: money('9.000.000.000,00'), percent: percent('20') },
      { percent: 'contracts.errors.valueTooLarge' },
    ],
    [
      'a bad effective date',
      { percent: percent('5'), effectiveFrom: '2026-02-30' },
      { effectiveFrom: 'contracts.errors.invalidDate' },
    ],
    [
      'a zero period',
      { percent: percent('5'), periodMonths: 0 },
      { periodMonths: 'contracts.errors.invalidPeriod' },
    ],
    [
      'a bad next date',
      { percent: percent('5'), nextReadjustmentDate: '2026-3-1' },
      { nextReadjustmentDate: 'contracts.errors.invalidDate' },
    ],
  ])('refuses %s', (_name, change, errors) => {
    expect(planReadjustment({ ...base, ...change })).toEqual({ ok: false, errors });
  });

  it('moves the readjustment date exactly one period on, whatever the value or effective date', () => {
    fc.assert(
      fc.property(
        modernDate,
        fc.integer({ min: 1, max: 120 }),
        modernDate,
        fc.bigInt({ min: 0n, max: 10n ** 9n }),
        fc.integer({ min: -9999, max: 100000 }),
        (next, period, effectiveFrom, cents, basisPoints) => {
          const plan = planReadjustment({
            currentValue: Money.fromCents(cents),
            percent: Decimal.of(BigInt(basisPoints), 2),
            nextReadjustmentDate: next,
            periodMonths: period,
            effectiveFrom,
          });
          expect(plan.ok).toBe(true);
          if (!plan.ok) return;
          const moved = plan.value.nextReadjustmentDate!;
          expect(moved).toBe(addMonths(next, period));
          expect(isValidIsoDate(moved)).toBe(true);
          const [y, m] = next.split('-').map(Number);
          const [my, mm] = moved.split('-').map(Number);
          expect(my * 12 + mm - (y * 12 + m)).toBe(period);
          expect(plan.value.newValue.cents >= 0n).toBe(true);
          expect(plan.value.oldValue.cents).toBe(cents);
        },
      ),
    );
  });

  it('clears pending_readjustment when the moved date is after today (one period behind at most)', () => {
    fc.assert(
      fc.property(modernDate, fc.integer({ min: 0, max: 364 }), (next, late) => {
        const today = addDays(next, late);
        expect(computeContractStatus({ nextReadjustmentDate: next }, today)).toBe('pending_readjustment');
        const plan = planReadjustment({
          ...base,
          percent: percent('5'),
          nextReadjustmentDate: next,
          periodMonths: 12,
        });
        expect(
          plan.ok && computeContractStatus({ nextReadjustmentDate: plan.value.nextReadjustmentDate }, today),
        ).toBe('active');
      }),
    );
  });
});

describe('planRenewal', () => {
  it('renews one period without a "today" (manual renewal)', () => {
    expect(planRenewal({ endDate: '2026-12-31', periodMonths: 12 })).toEqual({
      endDate: '2027-12-31',
      periodsAdded: 1,
    });
    expect(planRenewal({ endDate: '2027-01-14', periodMonths: 12 })).toEqual({
      endDate: '2028-01-14',
      periodsAdded: 1,
    });
  });

  it('keeps a month-end term on the month end, including leap years', () => {
    expect(planRenewal({ endDate: '2025-02-28', periodMonths: 12 }).endDate).toBe('2026-02-28');
    expect(planRenewal({ endDate: '2027-02-28', periodMonths: 12 }).endDate).toBe('2028-02-29');
    expect(planRenewal({ endDate: '2028-02-29', periodMonths: 12 }).endDate).toBe('2029-02-28');
    expect(planRenewal({ endDate: '2026-04-30', periodMonths: 1 }).endDate).toBe('2026-05-31');
  });

  it('leaves a contract that has not ended alone', () => {
    expect(planRenewal({ endDate: '2026-03-15', periodMonths: 12 }, '2026-03-15')).toEqual({
      endDate: '2026-03-15',
      periodsAdded: 0,
    });
    expect(planRenewal({ endDate: '2026-12-31', periodMonths: 12 }, '2026-03-15')).toEqual({
      endDate: '2026-12-31',
      periodsAdded: 0,
    });
  });

  it('extends an ended contract as many periods as needed to reach today', () => {
    expect(planRenewal({ endDate: '2026-03-14', periodMonths: 12 }, '2026-03-15')).toEqual({
      endDate: '2027-03-14',
      periodsAdded: 1,
    });
    expect(planRenewal({ endDate: '2023-12-31', periodMonths: 12 }, '2026-03-15')).toEqual({
      endDate: '2026-12-31',
      periodsAdded: 3,
    });
    expect(planRenewal({ endDate: '2026-01-31', periodMonths: 1 }, '2026-03-31')).toEqual({
      endDate: '2026-03-31',
      periodsAdded: 2,
    });
    expect(planRenewal({ endDate: '2026-01-31', periodMonths: 1 }, '2026-04-01')).toEqual({
      endDate: '2026-04-30',
      periodsAdded: 3,
    });
  });

  it('adds the fewest whole periods that bring the end to today or later', () => {
    fc.assert(
      fc.property(
        modernDate,
        fc.integer({ min: 1, max: 36 }),
        fc.integer({ min: 0, max: 4000 }),
        (endDate, period, gap) => {
          const today = addDays(endDate, gap);
          const plan = planRenewal({ endDate, periodMonths: period }, today);
          const endAfter = (k: number) => addDays(addMonths(addDays(endDate, 1), k * period), -1);
          expect(plan.endDate).toBe(endAfter(plan.periodsAdded));
          expect(plan.endDate >= today).toBe(true);
          if (gap === 0) expect(plan.periodsAdded).toBe(0);
          else {
            expect(plan.periodsAdded).toBeGreaterThanOrEqual(1);
            expect(endAfter(plan.periodsAdded - 1) < today).toBe(true);
          }
        },
      ),
    );
  });

  it('renewing a term of n months by n months gives the term of 2n months (start day ≤ 28)', () => {
    fc.assert(
      fc.property(modernDate, fc.integer({ min: 1, max: 60 }), (start, n) => {
        fc.pre(Number(start.slice(8)) <= 28);
        expect(planRenewal({ endDate: endDateFrom(start, n), periodMonths: n }).endDate).toBe(
          endDateFrom(start, 2 * n),
        );
      }),
    );
  });

  it('renewing a month-end term yearly always lands on the last day of February when it ends in February', () => {
    let end = '2025-02-28';
    for (let year = 2026; year <= 2040; year++) {
      end = planRenewal({ endDate: end, periodMonths: 12 }).endDate;
      expect(end).toBe(`${year}-02-${isLeapYear(year) ? 29 : 28}`);
    }
  });

  it('throws on stored values that break the invariants', () => {
    expect(() => planRenewal({ endDate: '2026-02-30', periodMonths: 12 })).toThrow(RangeError);
    expect(() => planRenewal({ endDate: '2026-02-28', periodMonths: 0 })).toThrow(RangeError);
    expect(() => planRenewal({ endDate: '2026-02-28', periodMonths: 12 }, 'today')).toThrow(RangeError);
  });
});

describe('isRenewalDue', () => {
  const today = '2026-03-15';
  it.each([
    [{ autoRenew: true, endDate: '2026-03-14' }, true],
    [{ autoRenew: true, endDate: today }, false],
    [{ autoRenew: false, endDate: '2026-03-14' }, false],
    [{ autoRenew: true, endDate: null }, false],
    [{ autoRenew: true, endDate: '2026-03-14', cancelledAt: new Date() }, false],
  ])('%j → %s', (contract, expected) => {
    expect(isRenewalDue(contract, today)).toBe(expected);
  });
});

describe('contractsDueIn', () => {
  const dueInMarch = contractsDueIn('2026-03');

  it.each([
    ['2026-03-01', true],
    ['2026-03-31', true],
    ['2026-03-15', true],
    ['2026-02-28', false],
    ['2026-04-01', false],
    ['2025-03-15', false],
    [null, false],
  ])('next readjustment %s → %s', (date, expected) => {
    expect(dueInMarch({ nextReadjustmentDate: date })).toBe(expected);
  });

  it('leaves cancelled contracts out', () => {
    expect(dueInMarch({ nextReadjustmentDate: '2026-03-10', cancelledAt: '2026-01-01' })).toBe(false);
  });

  it('handles February of leap and common years', () => {
    expect(contractsDueIn('2024-02')({ nextReadjustmentDate: '2024-02-29' })).toBe(true);
    expect(contractsDueIn('2023-02')({ nextReadjustmentDate: '2023-03-01' })).toBe(false);
  });

  it('refuses an invalid month', () => {
    expect(() => contractsDueIn('2026-13')).toThrow(RangeError);
  });

  it('agrees with the month prefix of the date', () => {
    fc.assert(
      fc.property(modernDate, modernDate, (date, other) => {
        const month = other.slice(0, 7);
        expect(contractsDueIn(month)({ nextReadjustmentDate: date })).toBe(date.startsWith(`${month}-`));
      }),
    );
  });
});

describe('parsePercent', () => {
  it.each([
    ['4,5', '4.5'],
    ['4.5', '4.5'],
    ['-1,25', '-1.25'],
    ['3,333', '3.333'],
    ['10', '10'],
    ['0,0001', '0.0001'],
  ])('reads %j as %s', (input, expected) => {
    expect(parsePercent(input)?.toString()).toBe(expected);
  });

  it.each(['4,56789', 'abc', '', '4,5%', '+4'])('refuses %j', (input) => {
    expect(parsePercent(input)).toBeNull();
  });
});
