/**
 * The statistics page, its CSV and XLSX exports and the printable periodic report. Every one is for
 * the active role's organisation and its subtree only; the query may name a period, a level and a
 * category group and nothing else, so no request can ask for a subtree minus a school, a day, or a
 * window that slides across months. Each view and export is audited by action, never by filter.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { recordAudit } from '../audit/log.js';
import { dateKeyInVietnam } from '../calendar/working-days.js';
import { formatDateTime } from '../i18n/dates.js';
import { translator } from '../i18n/i18n.js';
import { HttpError, notFound } from '../web/http-error.js';
import { chartOf } from './charts.js';
import { statisticsScope, type StatisticsScope } from './compute.js';
import { GROUP_FILTERS, LEVEL_FILTERS } from './dimensions.js';
import { exportRows, toCsv, toXlsx } from './export.js';
import { currentQuarter, parsePeriod, type Period, type PeriodKind } from './periods.js';
import type { StatisticsService } from './service.js';
import type { ProtectedStatistics } from './tables.js';
import { buildStatisticsView, periodLabel, selectablePeriods, type Filters, type StatisticsView } from './view.js';

const PAGE_PERIODS: readonly PeriodKind[] = ['month', 'quarter', 'year'];
const REPORT_PERIODS: readonly PeriodKind[] = ['quarter', 'school_year'];

const querySchema = z
  .object({
    period: z.string().max(10).optional(),
    level: z.enum(LEVEL_FILTERS).optional(),
    group: z.enum(GROUP_FILTERS).optional(),
  })
  .strict();

const VIETNAMESE = translator('vi');

/** What the audit log records of statistics: which kind of output, for which organisation, never the filters. */
type StatisticsAction = 'stats.view' | 'stats.export_csv' | 'stats.export_xlsx' | 'stats.report';

interface Resolved {
  scope: StatisticsScope;
  statistics: ProtectedStatistics;
  filters: Filters;
  now: Date;
}

export default async function statisticsRoutes(app: FastifyInstance, { service }: { service: StatisticsService }): Promise<void> {
  const config = { permission: 'stats.view' } as const;

  /**
   * The organisation and filters a request asks for, or a refusal (400, audited): any other
   * parameter, a period finer than a month, or one outside what the organisation's timeline offers.
   */
  async function resolve(request: FastifyRequest, action: StatisticsAction, kinds: readonly PeriodKind[]): Promise<Resolved> {
    const now = new Date();
    const actor = request.requireActor();
    const scope = statisticsScope(app.db, actor.orgId);
    if (!scope) throw notFound();
    const refuse = (): never => {
      recordAudit(app.db, request.auditContext, { action, outcome: 'refused', entityType: 'organisation', entityId: scope.orgId });
      throw new HttpError(400, 'stats.refused');
    };
    const parsed = querySchema.safeParse(request.query ?? {});
    if (!parsed.success) return refuse();
    const group = parsed.data.group ?? 'all';
    const period = parsed.data.period === undefined || parsed.data.period === '' ? currentQuarter(now) : parsePeriod(parsed.data.period, kinds);
    if (!period) return refuse();
    const statistics = await service.get(scope.orgId, group, now);
    if (!selectablePeriods(statistics, now, kinds).some((option) => option.key === period.key)) return refuse();
    return { scope, statistics, filters: { period, level: parsed.data.level ?? 'all', group }, now };
  }

  function audited(request: FastifyRequest, action: StatisticsAction, scope: StatisticsScope): void {
    request.auditRead({ action, entityType: 'organisation', entityId: scope.orgId });
  }

  function queryString(filters: Filters): string {
    return new URLSearchParams({ period: filters.period.key, level: filters.level, group: filters.group }).toString();
  }

  function view(request: FastifyRequest, resolved: Resolved, vietnamese = false): StatisticsView {
    return buildStatisticsView(app.db, { ...resolved, t: vietnamese ? VIETNAMESE : request.t, locale: vietnamese ? 'vi' : request.locale });
  }

  app.get('/statistics', { config }, async (request, reply) => {
    const resolved = await resolve(request, 'stats.view', PAGE_PERIODS);
    const { scope, statistics, filters, now } = resolved;
    const shown = view(request, resolved);
    audited(request, 'stats.view', scope);
    const periods = selectablePeriods(statistics, now, PAGE_PERIODS);
    const option = (period: Period): { value: string; label: string } => ({ value: period.key, label: periodLabel(request.t, period) });
    const newestFirst = (kind: PeriodKind): { value: string; label: string }[] => periods.filter((period) => period.kind === kind).reverse().map(option);
    return reply.page('pages/statistics/index', {
      title: request.t('stats.title'),
      view: shown,
      charts: Object.fromEntries(shown.tables.map((table) => [table.id, chartOf(table)])),
      periodGroups: [
        { label: request.t('stats.period_kind.month'), options: newestFirst('month') },
        { label: request.t('stats.period_kind.quarter'), options: newestFirst('quarter') },
        { label: request.t('stats.period_kind.year'), options: newestFirst('year') },
      ],
      levels: LEVEL_FILTERS.map((value) => ({ value, label: request.t(`stats.level.${value}`) })),
      groups: GROUP_FILTERS.map((value) => ({ value, label: request.t(`stats.group.${value}`) })),
      query: queryString(filters),
      reportQuery: queryString({ ...filters, period: filters.period.kind === 'quarter' ? filters.period : currentQuarter(now) }),
    });
  });

  function download(reply: FastifyReply, shown: StatisticsView, extension: 'csv' | 'xlsx', type: string, body: string | Buffer): FastifyReply {
    const { period, level, group } = shown.filters;
    return reply.header('content-type', type).header('content-disposition', `attachment; filename="thong-ke-${period.key}-${level}-${group}.${extension}"`).send(body);
  }

  app.get('/statistics/export.csv', { config }, async (request, reply) => {
    const resolved = await resolve(request, 'stats.export_csv', PAGE_PERIODS);
    const shown = view(request, resolved);
    audited(request, 'stats.export_csv', resolved.scope);
    return download(reply, shown, 'csv', 'text/csv; charset=utf-8', toCsv(exportRows(shown, request.t)));
  });

  app.get('/statistics/export.xlsx', { config }, async (request, reply) => {
    const resolved = await resolve(request, 'stats.export_xlsx', PAGE_PERIODS);
    const shown = view(request, resolved);
    audited(request, 'stats.export_xlsx', resolved.scope);
    const body = await toXlsx(exportRows(shown, request.t), request.t('stats.export.sheet'));
    return download(reply, shown, 'xlsx', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', body);
  });

  // The periodic report (báo cáo định kỳ) is an official document: always Vietnamese, for a quarter or a school year.
  app.get('/statistics/report', { config }, async (request, reply) => {
    const resolved = await resolve(request, 'stats.report', REPORT_PERIODS);
    const { scope, statistics, filters, now } = resolved;
    const shown = view(request, resolved, true);
    audited(request, 'stats.report', scope);
    const periods = selectablePeriods(statistics, now, REPORT_PERIODS).reverse();
    const pageFilters = { ...filters, period: filters.period.kind === 'quarter' ? filters.period : currentQuarter(now) };
    return reply.page('pages/statistics/report', {
      title: `${VIETNAMESE('stats.report.title')} · ${shown.periodLabel}`,
      t: VIETNAMESE,
      locale: 'vi',
      ui: request.t,
      uiLocale: request.locale,
      view: shown,
      generatedAt: formatDateTime(now),
      today: dateKeyInVietnam(now).split('-'),
      periodOptions: periods.map((period) => ({ value: period.key, label: periodLabel(request.t, period) })),
      backHref: `/statistics?${queryString(pageFilters)}`,
    });
  });
}
