/**
 * The numbered parameters of one hand-written statement: `params.add(value)` stores the value and returns
 * its placeholder (`$1`, `$2`…), so fragments built by different modules (a scope, a filter) share one list
 * and nothing from the request is ever spliced into the SQL text.
 */
export class SqlParams {
  readonly values: unknown[] = [];

  add(value: unknown): string {
    return `$${this.values.push(value)}`;
  }
}

/** A statement and its values, as `DataSource.query(text, values)` takes them. */
export interface SqlQuery {
  text: string;
  values: unknown[];
}
