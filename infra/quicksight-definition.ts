// The QuickSight dashboard definition, generated from dashboard/spec.ts: one visual per spec
// visual, with the spec's ids (stable, so an update changes the dashboard in place).
import type { CfnDashboard } from 'aws-cdk-lib/aws-quicksight';
import {
  DASHBOARD,
  type DashboardSpec,
  dashboardQueries,
  type KpiVisual,
  type Visual,
} from '../dashboard/spec.ts';
import { RESULT_COLUMNS } from '../queries/result-columns.ts';

type Definition = CfnDashboard.DashboardVersionDefinitionProperty;

export const dataSetId = (query: string) => `credlake-${query.replaceAll('_', '-')}`;

const title = (text: string) => ({ visibility: 'VISIBLE', formatText: { plainText: text } });
const column = (query: string, name: string) => {
  if (!RESULT_COLUMNS[query]?.some(([c]) => c === name))
    throw new Error(`dashboard spec: ${query} has no column ${name}`);
  return { dataSetIdentifier: query, columnName: name };
};
const sum = (visualId: string, query: string, name: string) => ({
  numericalMeasureField: {
    fieldId: `${visualId}.${name}`,
    column: column(query, name),
    aggregationFunction: { simpleNumericalAggregation: 'SUM' },
  },
});
const dimension = (visualId: string, query: string, name: string) => ({
  categoricalDimensionField: { fieldId: `${visualId}.${name}`, column: column(query, name) },
});

/** A chart's field wells: one category, each series summed. */
const aggregated = (visual: { id: string; query: string; series: readonly string[] }, category: string) => ({
  category: [dimension(visual.id, visual.query, category)],
  values: visual.series.map((s) => sum(visual.id, visual.query, s)),
});

/** The calculated field a KPI of type count_where sums: 1 where the column equals the value. */
export function kpiFieldName(visual: KpiVisual): string {
  return `${visual.id.replaceAll('-', '_')}_match`;
}

function kpi(visual: KpiVisual) {
  const m = visual.measure;
  const value =
    m.type === 'rows'
      ? {
          categoricalMeasureField: {
            fieldId: `${visual.id}.count`,
            column: column(visual.query, RESULT_COLUMNS[visual.query][0][0]),
            aggregationFunction: 'COUNT',
          },
        }
      : m.type === 'max'
        ? {
            numericalMeasureField: {
              fieldId: `${visual.id}.max`,
              column: column(visual.query, m.column),
              aggregationFunction: { simpleNumericalAggregation: 'MAX' },
            },
          }
        : {
            numericalMeasureField: {
              fieldId: `${visual.id}.match`,
              column: { dataSetIdentifier: visual.query, columnName: kpiFieldName(visual) },
              aggregationFunction: { simpleNumericalAggregation: 'SUM' },
            },
          };
  return {
    kpiVisual: {
      visualId: visual.id,
      title: title(visual.title),
      chartConfiguration: { fieldWells: { values: [value] } },
    },
  };
}

function visualDefinition(visual: Visual) {
  switch (visual.kind) {
    case 'kpi':
      return kpi(visual);
    case 'bar':
      return {
        barChartVisual: {
          visualId: visual.id,
          title: title(visual.title),
          chartConfiguration: {
            orientation: 'VERTICAL',
            barsArrangement: 'STACKED',
            fieldWells: {
              barChartAggregatedFieldWells: aggregated(visual, visual.category),
            },
          },
        },
      };
    case 'line':
      return {
        lineChartVisual: {
          visualId: visual.id,
          title: title(visual.title),
          chartConfiguration: {
            fieldWells: {
              lineChartAggregatedFieldWells: aggregated(visual, visual.x),
            },
          },
        },
      };
    case 'changes':
    case 'table':
      return {
        tableVisual: {
          visualId: visual.id,
          title: title(visual.title),
          chartConfiguration: {
            fieldWells: {
              tableUnaggregatedFieldWells: {
                values: visual.columns.map((c) => ({
                  fieldId: `${visual.id}.${c}`,
                  column: column(visual.query, c),
                })),
              },
            },
          },
        },
      };
  }
}

export function dashboardDefinition(
  dataSetArn: (query: string) => string,
  spec: DashboardSpec = DASHBOARD,
): Definition {
  const kpis = spec.sections
    .flatMap((s) => s.visuals)
    .filter((v): v is KpiVisual => v.kind === 'kpi' && v.measure.type === 'count_where');
  return {
    dataSetIdentifierDeclarations: dashboardQueries(spec).map((q) => ({
      identifier: q,
      dataSetArn: dataSetArn(q),
    })),
    calculatedFields: kpis.map((v) => {
      const m = v.measure as { column: string; equals: string };
      return {
        dataSetIdentifier: v.query,
        name: kpiFieldName(v),
        expression: `ifelse({${m.column}} = '${m.equals}', 1, 0)`,
      };
    }),
    sheets: spec.sections.map((section, i) => ({
      sheetId: `${spec.id}-sheet-${i + 1}`,
      name: section.title,
      visuals: section.visuals.map(visualDefinition),
    })),
  } as Definition;
}
