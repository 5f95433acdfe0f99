import { Decimal, fromSqlDecimal, toSqlDecimal } from './money';

/**
 * A TypeORM column transformer for `numeric` columns that are not money (percentages, hours, km): the
 * column's text becomes an exact `Decimal`, never a float. Structural, like `moneyTransformer`.
 */
export const decimalTransformer = {
  to(value: unknown): unknown {
    return value instanceof Decimal ? toSqlDecimal(value) : value;
  },
  from(value: unknown): Decimal | null {
    return value === null || value === undefined ? null : fromSqlDecimal(value as string);
  },
};
