import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { SessionOperator } from '../auth/session-operator';
import { SqlParams } from '../common/sql';
import { liveClientSql, visibleClientSql } from './client-scope';

const operator = (role: SessionOperator['role']): SessionOperator => ({
  id: '00000000-0000-4000-8000-000000000001',
  name: 'Op',
  email: 'op@example.com',
  role,
  locale: 'pt-BR',
});

describe('the client scope', () => {
  it('shows a manager or an admin every client not marked for deletion, binding nothing', () => {
    for (const role of ['manager', 'admin'] as const) {
      const params = new SqlParams();
      expect(visibleClientSql(operator(role), params, 'x')).toBe(liveClientSql('x'));
      expect(params.values).toEqual([]);
    }
  });

  it('limits an agent to clients linked to their groups, the id as the next numbered parameter', () => {
    const params = new SqlParams();
    params.add('first value');
    const sql = visibleClientSql(operator('agent'), params, 'x');
    expect(sql).toContain(liveClientSql('x'));
    expect(sql).toContain('cag_scope.client_id = x.id AND agm_scope.operator_id = $2');
    expect(params.values).toEqual(['first value', operator('agent').id]);
  });

  it('is the only place in src/ that names the deletion mark, besides the purge', () => {
    const root = join(__dirname, '..');
    const allowed = new Set(['clients/client-scope.ts', 'clients/client-scope.spec.ts']);
    const offenders: string[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) walk(path);
        else if (path.endsWith('.ts')) {
          const file = relative(root, path).split('\\').join('/');
          if (allowed.has(file) || file.startsWith('clients/purge/')) continue;
          if (/deletion_requested_at|deletionRequestedAt/.test(readFileSync(path, 'utf8')))
            offenders.push(file);
        }
      }
    };
    walk(root);
    expect(offenders).toEqual([]);
  });
});
