import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { DASHBOARD, dashboardQueries } from '../../dashboard/spec.ts';
import { findQuery } from '../../queries/catalog.ts';
import { RESULT_COLUMNS } from '../../queries/result-columns.ts';
import { loadQuerySql, withBenchmark } from '../../queries/saved-query.ts';
import { testApp } from '../helpers/cdk-app.ts';

const PRINCIPAL = 'arn:aws:quicksight:us-east-1:222222222222:group/default/secops';

describe('the QuickSight stack', () => {
  it('is not created unless enabled; accounts without QuickSight deploy everything else unchanged', () => {
    const built = testApp();
    expect(built.quicksight).toBeUndefined();
    expect(built.app.node.tryFindChild('CredlakeQuickSight')).toBeUndefined();
  });

  it('builds the data source, SPICE datasets, daily refreshes and a dashboard with every spec visual', () => {
    const built = testApp({
      quicksight: JSON.stringify({ enabled: true, principalArn: PRINCIPAL, identityRegion: 'us-east-1' }),
      benchmark: 'cis-1.4',
    });
    built.app.synth(); // cdk-nag runs on this stack too
    const t = Template.fromStack(built.quicksight!);
    t.hasResourceProperties('AWS::QuickSight::DataSource', {
      Type: 'ATHENA',
      DataSourceParameters: { AthenaParameters: { WorkGroup: 'credlake', RoleArn: Match.anyValue() } },
      Permissions: [Match.objectLike({ Principal: PRINCIPAL })],
    });
    t.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [Match.objectLike({ Principal: { Service: 'quicksight.amazonaws.com' } })],
      },
    });
    const dataSets = Object.values(t.findResources('AWS::QuickSight::DataSet'));
    expect(dataSets.map((d) => d.Properties.DataSetId).sort()).toEqual(
      dashboardQueries()
        .map((q) => `credlake-${q.replaceAll('_', '-')}`)
        .sort(),
    );
    for (const d of dataSets) {
      expect(d.Properties.ImportMode).toBe('SPICE');
      expect(d.Properties.Permissions[0].Principal).toBe(PRINCIPAL);
      const table = Object.values(d.Properties.PhysicalTableMap)[0] as {
        CustomSql: { Name: string; Columns: { Name: string }[]; SqlQuery: string };
      };
      const query = table.CustomSql.Name;
      expect(table.CustomSql.Columns.map((c) => c.Name)).toEqual(RESULT_COLUMNS[query].map(([c]) => c));
      // The saved query's own text under the deployment's benchmark: the same rule in Athena,
      // QuickSight and the local report.
      expect(table.CustomSql.SqlQuery).toBe(withBenchmark(findQuery(query)!, loadQuerySql(query), 'cis-1.4'));
    }
    const judged = dataSets.filter((d) =>
      JSON.stringify(d.Properties.PhysicalTableMap).includes('true AS root_mfa_without_password'),
    );
    expect(judged.length, 'datasets judged by CIS v1.4 root MFA rule').toBeGreaterThan(0);
    t.resourcePropertiesCountIs(
      'AWS::QuickSight::RefreshSchedule',
      {
        Schedule: Match.objectLike({
          ScheduleFrequency: { Interval: 'DAILY', TimeOfTheDay: '06:00', TimeZone: 'UTC' },
        }),
      },
      dataSets.length,
    );
    const dashboard = Object.values(t.findResources('AWS::QuickSight::Dashboard'))[0].Properties;
    expect(dashboard.DashboardId).toBe(DASHBOARD.id);
    expect(dashboard.ValidationStrategy).toEqual({ Mode: 'STRICT' });
    const visualIds = dashboard.Definition.Sheets.flatMap(
      (s: { Visuals: Record<string, { VisualId: string }>[] }) =>
        s.Visuals.map((v) => Object.values(v)[0].VisualId),
    );
    expect(visualIds).toEqual(DASHBOARD.sections.flatMap((s) => s.visuals.map((v) => v.id)));
  });
});
