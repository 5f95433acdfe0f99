import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';

export const SORT_KEYS = ['tradeName', 'legalName', 'document', 'city', 'status', 'createdAt'] as const;
export type SortKey = (typeof SORT_KEYS)[number];
export const STATUS_FILTERS = ['active', 'inactive', 'all'] as const;
export type StatusFilter = (typeof STATUS_FILTERS)[number];
export const PAGE_SIZE = 50;
/** Offset pagination stops here (50 × 200 = 10,000 rows): deeper, the operator refines the search. */
export const MAX_PAGE = 200;

/** The list's state, all of it in the URL (bookmarkable; the back button works). Unknown keys or values are a 400. */
export class ListClientsQuery {
  @IsOptional() @IsIn(STATUS_FILTERS) status?: StatusFilter;
  @IsOptional() @IsString() @MaxLength(100) q?: string;
  @IsOptional() @IsIn(SORT_KEYS) sort?: SortKey;
  @IsOptional() @IsIn(['asc', 'desc']) dir?: 'asc' | 'desc';
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(MAX_PAGE) page?: number;
}

export interface ListState {
  status: StatusFilter;
  q: string;
  sort: SortKey;
  dir: 'asc' | 'desc';
  page: number;
}

export function listState(query: ListClientsQuery): ListState {
  return {
    status: query.status ?? 'active',
    q: (query.q ?? '').trim(),
    sort: query.sort ?? 'tradeName',
    dir: query.dir ?? 'asc',
    page: query.page ?? 1,
  };
}

/** The URL of a list state (defaults omitted, so bookmarks stay short). */
export function listUrl(state: ListState, changes: Partial<ListState> = {}): string {
  const next = { ...state, ...changes };
  const params = new URLSearchParams();
  if (next.status !== 'active') params.set('status', next.status);
  if (next.q) params.set('q', next.q);
  if (next.sort !== 'tradeName') params.set('sort', next.sort);
  if (next.dir !== 'asc') params.set('dir', next.dir);
  if (next.page > 1) params.set('page', String(next.page));
  const qs = params.toString();
  return qs ? `/clients?${qs}` : '/clients';
}
