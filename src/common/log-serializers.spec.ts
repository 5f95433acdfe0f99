import { DatabaseError } from 'pg';
import pino from 'pino';
import { QueryFailedError } from 'typeorm';
import { serializeError } from './log-serializers';

/** A unique violation as pg reports it, with what PostgreSQL says about the row. */
function uniqueViolation(): DatabaseError {
  const error = new DatabaseError(
    'duplicate key value violates unique constraint "clients_document_key"',
    120,
    'error',
  );
  Object.assign(error, {
    severity: 'ERROR',
    code: '23505',
    detail: 'Key (document)=(11222333000181) already exists.',
    table: 'clients',
    constraint: 'clients_document_key',
    where: 'SQL statement "INSERT … VALUES (\'Padaria Sigilosa\')"',
    routine: '_bt_check_unique',
  });
  return error;
}

const PERSONAL = ['Padaria Sigilosa', '11222333000181', 'ana@example.com', '$argon2id$v=19$m=19456'];

describe('serializeError', () => {
  it('keeps what failed (type, message, code, constraint, table, stack) and drops the data involved', () => {
    const error = new QueryFailedError(
      'INSERT INTO clients (trade_name, document, email) VALUES ($1, $2, $3)',
      ['Padaria Sigilosa', '11222333000181', 'ana@example.com', '$argon2id$v=19$m=19456,t=2,p=1$x'],
      uniqueViolation(),
    );
    const out = serializeError(error) as Record<string, unknown>;
    expect(out).toMatchObject({
      type: 'QueryFailedError',
      message: 'duplicate key value violates unique constraint "clients_document_key"',
      code: '23505',
      constraint: 'clients_document_key',
      table: 'clients',
      routine: '_bt_check_unique',
    });
    expect(out.stack).toEqual(expect.stringContaining('QueryFailedError'));
    expect(Object.keys(out)).not.toEqual(
      expect.arrayContaining(['parameters', 'query', 'detail', 'where', 'driverError']),
    );
    const text = JSON.stringify(out);
    for (const value of PERSONAL) expect(text).not.toContain(value);
    expect(text).not.toContain('INSERT');
  });

  it('drops the pg client an idle connection’s error carries (connection settings, password)', () => {
    const error = Object.assign(new Error('terminating connection due to administrator command'), {
      code: '57P01',
      client: { connectionParameters: { user: 'clientela', password: 'segredo-do-banco', host: 'db' } },
    });
    const out = serializeError(error) as Record<string, unknown>;
    expect(out).toEqual({
      type: 'Error',
      message: 'terminating connection due to administrator command',
      code: '57P01',
      stack: expect.any(String),
    });
  });

  it('serializes causes and aggregated errors the same way', () => {
    const out = serializeError(
      new AggregateError([uniqueViolation()], 'connect failed', { cause: uniqueViolation() }),
    );
    const text = JSON.stringify(out);
    expect(text).toContain('clients_document_key');
    expect(text).not.toContain('11222333000181');
    expect(text).not.toContain('Padaria Sigilosa');
  });

  it('leaves a value that is not an object (a rejection with a string) as it is', () => {
    expect(serializeError('boom')).toBe('boom');
    expect(serializeError(undefined)).toBeUndefined();
  });

  it('works on pino’s standard serialization of the error, as pino-http hands it over', () => {
    const error = new QueryFailedError('SELECT $1', ['ana@example.com'], uniqueViolation());
    const text = JSON.stringify(serializeError(pino.stdSerializers.err(error)));
    expect(text).toContain('"code":"23505"');
    for (const value of PERSONAL) expect(text).not.toContain(value);
  });
});
